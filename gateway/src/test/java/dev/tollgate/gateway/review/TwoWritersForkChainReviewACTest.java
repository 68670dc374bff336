package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.gateway.audit.AuditEntry;
import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.audit.AuditVerifier;
import dev.tollgate.gateway.audit.AuditWriting;
import dev.tollgate.gateway.config.AuditConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AC: two gateways pointed at one audit directory (a second replica or a restarted container on the same
 * volume while the old one still drains, the README's {@code -v tollgate-audit:/app/audit}) both open the newest file,
 * both read the same chain end, and both append records numbered and chained from it. Nothing stops the second writer
 * (no lock on the directory or the file), so the log forks: two records claim the same {@code seq} and {@code prev},
 * and {@code tollgate audit verify} reports every later record of the log as "removed, reordered or inserted". The
 * security team's evidence is unusable, and real tampering can no longer be told from this. Expected: the second
 * writer is refused at open (fail closed), or the two writers keep one intact chain.
 */
class TwoWritersForkChainReviewACTest {

    @TempDir
    Path dir;

    private record Entry(int n) implements AuditEntry {
        @Override
        public String method() {
            return "tools/call";
        }

        @Override
        public void writeFields(JsonGenerator json, AuditWriting writing) throws IOException {
            json.writeStringField("route", "r");
            json.writeStringField("method", "tools/call");
            json.writeStringField("tool", "t" + n);
        }
    }

    private AuditLog open() throws IOException {
        return AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 1000, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.DIGEST));
    }

    @Test
    void aSecondWriterOnTheSameDirectoryDoesNotForkTheChain() throws Exception {
        AuditLog first = open();
        first.offer(new Entry(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.written() == 1);

        AuditLog second;
        try {
            second = open();
        } catch (IOException | RuntimeException refused) {
            // Fixed by refusing a second writer: the first one's chain stays whole.
            first.close();
            assertThat(AuditVerifier.verify(AuditFiles.inOrder(dir)).ok()).isTrue();
            return;
        }
        try {
            for (int i = 1; i <= 3; i++) {
                first.offer(new Entry(100 + i));
                second.offer(new Entry(200 + i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> first.written() == 4 && second.written() == 3);
        } finally {
            first.close();
            second.close();
        }

        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as("the log two gateways wrote: " + result).isTrue();
        assertThat(result.records()).isEqualTo(7);
    }
}
