package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BD: files are named {@code audit-%06d.jsonl}, but read back ({@link AuditFiles#inOrder}, the gateway's start and
 * {@code audit verify DIR}) only as exactly six digits, sorted as text. The rotation after {@code audit-999999.jsonl}
 * writes {@code audit-1000000.jsonl}: {@code audit verify} no longer sees its records (and passes), and a restart resumes
 * the chain from the end of file 999999, forking it. With a small {@code max-file-bytes} (any size is accepted) a busy
 * gateway gets there; here the directory starts at file 999999 to show it.
 */
class AuditMillionthFileReviewBDTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void recordsPastTheMillionthFileAreVerifiedAndTheChainResumesFromThem() throws Exception {
        Files.createFile(AuditFiles.file(dir, 999_999)); // the newest file, as a long-running gateway left it
        AuditConfig config = new AuditConfig(dir, 300, 1000, AuditConfig.WhenFull.REJECT, AuditConfig.ArgumentsMode.FULL);
        try (AuditLog log = AuditLog.open(config)) {
            for (int i = 0; i < 3; i++) {
                ObjectNode r = JSON.createObjectNode().put("time", "2026-12-07T08:00:00Z").put("route", "r").put("method", "tools/call")
                        .put("tool", "t" + i);
                r.putObject("decision").put("action", "allow");
                assertThat(log.offer(new TreeAuditEntry(r))).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 3);
        }
        assertThat(Files.exists(dir.resolve("audit-1000000.jsonl"))).as("control: rotation went past file 999999").isTrue();

        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.records()).as("every record written must be verified: " + result).isEqualTo(3);
        try (AuditLog reopened = AuditLog.open(config)) {
            assertThat(reopened.lastWrittenSeq()).as("the chain resumes after the last record written").isEqualTo(3);
        }
    }
}
