package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.Mode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Review BD fixes: a record keeps its decision time ({@code decision.time}) and its request id with the id's JSON type. */
class AuditRecordDecisionTimeAndIdTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant ENDED = Instant.parse("2026-12-03T17:05:00.250Z");
    private static final Instant DECIDED = Instant.parse("2026-12-03T17:04:59.750Z");

    @Test
    void theDecisionTimeIsWrittenInTheDecisionAndTheEndTimeStaysFirst() throws Exception {
        JsonNode written = write(AuditRecords.Outcome.of(200, null, 1, 1, null, IntNode.valueOf(7), null), DECIDED);
        assertThat(written.get("time").asText()).isEqualTo("2026-12-03T17:05:00.250Z");
        assertThat(written.path("decision").path("time").asText()).isEqualTo("2026-12-03T17:04:59.750Z");
    }

    @Test
    void aRecordWithoutItsDecisionTimeNamesNone() throws Exception {
        JsonNode written = write(AuditRecords.Outcome.of(200, null, 1, 1, null, null, null), null);
        assertThat(written.path("decision").has("time")).isFalse();
        assertThat(written.has("request_id")).isFalse();
    }

    @Test
    void aNumberIdIsWrittenAsANumberAndAStringIdAsAString() throws Exception {
        JsonNode number = write(AuditRecords.Outcome.of(200, null, 1, 1, null, IntNode.valueOf(1), null), DECIDED);
        JsonNode string = write(AuditRecords.Outcome.of(200, null, 1, 1, null, TextNode.valueOf("1"), null), DECIDED);
        assertThat(number.get("request_id").isNumber()).as(number.toString()).isTrue();
        assertThat(number.get("request_id").asInt()).isEqualTo(1);
        assertThat(string.get("request_id").isTextual()).as(string.toString()).isTrue();
        assertThat(string.get("request_id").asText()).isEqualTo("1");
    }

    @Test
    void twoSecondsAlternatingFormatAsEachAlone() {
        InstantText text = new InstantText();
        for (int i = 0; i < 3; i++) {
            assertThat(text.format(ENDED)).isEqualTo(ENDED.toString());
            assertThat(text.format(DECIDED)).isEqualTo(DECIDED.toString());
            assertThat(text.format(ENDED.plusSeconds(7))).isEqualTo(ENDED.plusSeconds(7).toString());
        }
    }

    private static JsonNode write(AuditRecords.Outcome outcome, Instant decidedAt) throws Exception {
        var record = new AuditRecords.CallRecord(ENDED, CallDescription.mcpToolCall("r", "t", null), Identity.ANONYMOUS,
                new Decision(Action.ALLOW, null, null, "p", Mode.ENFORCE), outcome, null, List.of(), null,
                new ArgumentRedactor(List.of()), Set.of(), decidedAt);
        AuditWriting writing = new AuditWriting(AuditConfig.ArgumentsMode.DIGEST, new InstantText());
        return JSON.readTree(new String(AuditLine.seal(record, 1, AuditChain.GENESIS, writing).bytes(), StandardCharsets.UTF_8));
    }
}
