package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.gateway.audit.AuditEntry;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.audit.AuditWriting;
import dev.tollgate.gateway.config.AuditConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AC: AuditLog's writer catches {@code IOException | RuntimeException} ("Anything but an interrupt is retried: a
 * dead writer thread would lose records without a trace"), but an {@link Error} raised while one record is sealed (an
 * OutOfMemoryError serializing a large {@code arguments: full} record under memory pressure, a StackOverflowError)
 * escapes {@code seal}, {@code take} and {@code drain}, and the writer thread ends. Nothing notices: {@code healthy()}
 * stays true ({@code tollgate_audit_healthy} 1), so {@code when-full: reject} keeps admitting calls; their records are
 * accepted into a queue nobody drains until it is full (10,000 forwarded calls by default), and are lost at shutdown.
 * Expected: one record that cannot be sealed is counted and skipped (or the log turns unhealthy and refuses calls);
 * the records after it are written.
 */
class WriterDiesSilentlyReviewACTest {

    @TempDir
    Path dir;

    private record Entry(boolean explode) implements AuditEntry {
        @Override
        public String method() {
            return "tools/call";
        }

        @Override
        public void writeFields(JsonGenerator json, AuditWriting writing) throws IOException {
            if (explode) {
                throw new OutOfMemoryError("Java heap space (simulated while serializing one large record)");
            }
            json.writeStringField("method", "tools/call");
        }
    }

    @Test
    void oneRecordThatCannotBeSealedDoesNotSilentlyStopTheLog() throws Exception {
        try (AuditLog log = AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 100, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.DIGEST))) {
            log.offer(new Entry(true));
            Thread.sleep(200);
            for (int i = 0; i < 3; i++) {
                assertThat(log.offer(new Entry(false))).isTrue();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (log.written() < 3 && log.healthy() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            assertThat(log.written() == 3 || !log.healthy())
                    .as("records after the failed one: written %d, queued %d, healthy %s", log.written(), log.queued(), log.healthy())
                    .isTrue();
        }
    }
}
