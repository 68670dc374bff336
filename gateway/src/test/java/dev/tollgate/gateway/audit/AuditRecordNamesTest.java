package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.detect.Detector;
import dev.tollgate.policy.detect.Detectors;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Review CG, the names the record writes besides an MCP tool's: an A2A skill (the record's {@code tool} and
 * {@code a2a.skill}), a resource URI and a prompt name, each read with the deciding policy's detectors and the always-on
 * ones, in the reason quoting them too.
 */
class AuditRecordNamesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMAIL = "alice.smith@example.com";
    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
    private static final List<Detector> EMAILS = List.of(Detectors.pii(Set.of("email")));

    @Test
    void anA2aSkillNamedWithWhatThePolicyDetectsIsItsMarker() throws Exception {
        CallDescription call = CallDescription.a2a("agents", "SendMessage", EMAIL,
                JSON.readTree("{\"binding\":\"jsonrpc\",\"skill\":\"" + EMAIL + "\"}"));
        JsonNode written = written(call, new Decision(Action.DENY, "r", "skill '" + EMAIL + "' is not served", "p", Mode.ENFORCE));
        assertThat(written.path("tool").asText()).isEqualTo("[REDACTED:pii]");
        assertThat(written.path("a2a").path("skill").asText()).isEqualTo("[REDACTED:pii]");
        assertThat(written.path("decision").path("reason").asText()).isEqualTo("skill '[REDACTED:pii]' is not served");
        assertThat(written.toString()).doesNotContain(EMAIL);
    }

    @Test
    void aResourceUriAndAPromptNameHoldingACredentialAreTheirMarkers() throws Exception {
        JsonNode resource = written(CallDescription.mcpResourceRead("files", "file:///keys/" + AWS_KEY),
                new Decision(Action.ALLOW, null, null, "p", Mode.ENFORCE));
        assertThat(resource.path("resource").asText()).isEqualTo("[REDACTED:secrets]");
        JsonNode prompt = written(CallDescription.mcpPromptGet("files", "mail " + EMAIL, null),
                new Decision(Action.ALLOW, null, null, "p", Mode.ENFORCE));
        assertThat(prompt.path("prompt").asText()).isEqualTo("[REDACTED:pii]");
        JsonNode plain = written(CallDescription.mcpToolCall("files", "read_file", null), new Decision(Action.ALLOW, null, null, "p", Mode.ENFORCE));
        assertThat(plain.path("tool").asText()).as("a name holding nothing is written as it is").isEqualTo("read_file");
    }

    private static JsonNode written(CallDescription call, Decision decision) throws Exception {
        var record = new AuditRecords.CallRecord(Instant.parse("2026-12-07T22:00:00Z"), call, Identity.ANONYMOUS, decision,
                new AuditRecords.Outcome(200, null, 1.5, 1.0, null, "7", null), null, List.of(), null, new ArgumentRedactor(List.of()),
                Set.of(), null, EMAILS);
        AuditWriting writing = new AuditWriting(AuditConfig.ArgumentsMode.NONE, new InstantText());
        return JSON.readTree(new String(AuditLine.seal(record, 1, AuditChain.GENESIS, writing).bytes(), StandardCharsets.UTF_8));
    }
}
