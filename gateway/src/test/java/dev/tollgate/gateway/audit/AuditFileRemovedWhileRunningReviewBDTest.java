package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BD: README says "A failed write (disk full, file removed) loses nothing: the writer keeps the records and
 * retries". A removed current file is no failed write: the writer's channel still points at the unlinked inode, every
 * write to it succeeds, {@code tollgate_audit_written} and {@code tollgate_audit_last_seq} go up, the log stays healthy
 * (so {@code when-full: reject} admits every call), and each record written after the removal is gone for good. At the
 * next start the directory is empty, the chain starts again at seq 1 from the genesis hash, and {@code audit verify}
 * passes the new log.
 */
class AuditFileRemovedWhileRunningReviewBDTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void recordsWrittenAfterTheCurrentFileWasRemovedAreOnDisk() throws Exception {
        List<String> onDisk = new ArrayList<>();
        try (AuditLog log = AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 1000, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.FULL))) {
            offer(log, 0, 3);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 3);
            Files.delete(AuditFiles.file(dir, 1)); // an operator's rm, a cleanup job, an intruder

            offer(log, 3, 6);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 6 || log.failedWrites() > 0);
            // Give the writer every chance to notice (a retry, a reopen) before looking at the directory.
            await().atMost(Duration.ofSeconds(10)).until(() -> log.written() == 6 && log.healthy());
            assertThat(log.lastWrittenSeq()).isEqualTo(6);
            for (Path f : AuditFiles.inOrder(dir)) {
                for (String line : Files.readAllLines(f)) {
                    onDisk.add(JSON.readTree(line).path("tool").asText());
                }
            }
        }
        assertThat(onDisk)
                .as("the log says records 4..6 were written (written=6, last_seq=6, healthy); they must be in the directory")
                .contains("t3", "t4", "t5");
    }

    private static void offer(AuditLog log, int from, int to) {
        for (int i = from; i < to; i++) {
            ObjectNode r = JSON.createObjectNode().put("time", "2026-12-07T08:00:00Z").put("route", "r").put("method", "tools/call")
                    .put("tool", "t" + i);
            r.putObject("decision").put("action", "allow");
            assertThat(log.offer(new TreeAuditEntry(r))).isTrue();
        }
    }
}
