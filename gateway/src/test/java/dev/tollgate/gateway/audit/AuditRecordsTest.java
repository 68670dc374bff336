package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.Mode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The event loop leaves the time's formatting and the arguments' digest to the writer thread; what the writer
 * finishes is the record as before: the time as ISO-8601 text, first in the field order, then the digest.
 */
class AuditRecordsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theWriterFormatsTheTimeInItsPlaceAndDigestsTheArguments() throws Exception {
        Instant time = Instant.parse("2026-12-03T17:04:05.123456789Z");
        CallDescription call = CallDescription.mcpToolCall("files", "read_file", JSON.readTree("{\"path\":\"/etc/hosts\"}"));
        Decision allowed = new Decision(Action.ALLOW, "r", null, "p", Mode.ENFORCE);
        ObjectNode record = AuditRecords.of(time, call, Identity.ANONYMOUS, allowed,
                new AuditRecords.Outcome(200, null, 1.5, 1.0, null, "7", null), AuditConfig.ArgumentsMode.DIGEST);

        AuditRecords.finish(record, AuditConfig.ArgumentsMode.DIGEST, new ArgumentRedactor(List.of()));

        assertThat(record.fieldNames().next()).isEqualTo("time");
        assertThat(record.get("time").isTextual()).isTrue();
        assertThat(record.get("time").asText()).isEqualTo("2026-12-03T17:04:05.123456789Z");
        assertThat(record.has("args_digest")).isTrue();
        assertThat(record.has("arguments")).as("DIGEST keeps only the digest").isFalse();
        String line = new String(AuditLine.seal(record, 1, AuditChain.GENESIS).bytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(line).startsWith("{\"time\":\"2026-12-03T17:04:05.123456789Z\",\"route\":\"files\"");
    }

    @Test
    void theDigestIsTheSameOnEveryThread() throws Exception {
        byte[] content = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String here = AuditChain.sha256(content);
        String[] there = new String[1];
        Thread other = new Thread(() -> there[0] = AuditChain.sha256(content));
        other.start();
        other.join();

        assertThat(here).isEqualTo(there[0]).isEqualTo(AuditChain.sha256(content))
                .isEqualTo("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
    }
}
