package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.support.Cli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seq numbering as {@code audit verify} checks it: gaps, legacy logs, and a log that stops early. */
class AuditVerifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static ObjectNode record(int i) {
        return JSON.createObjectNode().put("time", "2026-11-25T06:00:00Z").put("method", "tools/call").put("tool", "t" + i);
    }

    /** Lines sealed with the given seqs (0 = a legacy record without seq), chained from genesis. */
    private Path chain(long... seqs) throws Exception {
        List<String> lines = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < seqs.length; i++) {
            String line;
            if (seqs[i] == 0) {
                line = AuditChain.seal(JSON.writeValueAsString(record(i).put("prev", prev)));
            } else {
                line = new String(TreeAuditEntry.seal(record(i), seqs[i], prev).bytes(), StandardCharsets.UTF_8).strip();
            }
            prev = AuditChain.claimedHash(line);
            lines.add(line);
        }
        Path file = AuditFiles.file(dir, 1);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void aGapInSeqIsReportedAsRemovedRecordsEvenWhenTheHashesChain() throws Exception {
        Path file = chain(1, 2, 4, 5);

        AuditVerifier.Result result = AuditVerifier.verify(List.of(file));

        assertThat(result.ok()).isFalse();
        assertThat(result.line()).isEqualTo(3);
        assertThat(result.reason()).isEqualTo("seq does not follow the previous record's (records removed)");
        assertThat(result.lastSeq()).isEqualTo(2);
    }

    @Test
    void aLogNotStartingAtSeqOneIsReportedAsRemovedRecords() throws Exception {
        AuditVerifier.Result result = AuditVerifier.verify(List.of(chain(2, 3)));

        assertThat(result.ok()).isFalse();
        assertThat(result.line()).isEqualTo(1);
        assertThat(result.reason()).isEqualTo(AuditVerifier.GAP);
    }

    @Test
    void aRecordWithoutSeqAfterNumberedOnesIsReported() throws Exception {
        AuditVerifier.Result result = AuditVerifier.verify(List.of(chain(1, 2, 0)));

        assertThat(result.ok()).isFalse();
        assertThat(result.line()).isEqualTo(3);
        assertThat(result.reason()).isEqualTo(AuditVerifier.SEQ_MISSING);
    }

    @Test
    void aLegacyLogWithoutSeqVerifiesAndTheWriterGoesOnNumberingFromOne() throws Exception {
        chain(0, 0, 0);
        assertThat(AuditVerifier.verify(AuditFiles.inOrder(dir))).satisfies(r -> {
            assertThat(r.ok()).isTrue();
            assertThat(r.records()).isEqualTo(3);
            assertThat(r.lastSeq()).isZero();
        });

        try (AuditLog log = AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 100, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.NONE))) {
            for (int i = 0; i < 2; i++) {
                log.offer(new TreeAuditEntry(record(10 + i)));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 2);
        }

        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(5);
        assertThat(result.firstSeq()).isEqualTo(1);
        assertThat(result.lastSeq()).isEqualTo(2);
    }

    @Test
    void verifyWithExpectSeqFailsWhenTheLogEndsEarly() throws Exception {
        chain(1, 2, 3, 4, 5);

        Cli.Result complete = Cli.run("audit", "verify", "--expect-seq", "5", dir.toString());
        Cli.Result cutShort = Cli.run("audit", "verify", "--expect-seq", "7", dir.toString());

        assertThat(complete.exit()).isZero();
        assertThat(complete.out()).contains("OK: 5 record(s), seq 1..5, chain intact");
        assertThat(cutShort.exit()).isEqualTo(1);
        assertThat(cutShort.err()).contains("INCOMPLETE: the log ends at seq 5, expected at least 7");
    }
}
