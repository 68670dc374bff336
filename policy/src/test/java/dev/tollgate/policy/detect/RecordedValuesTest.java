package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Values a log line quotes (the pinning warning's diff): credentials and what the policy detects written as markers. */
class RecordedValuesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

    @Test
    void replacesEachFindingInStringsInPlaceAndKeepsTheRest() throws Exception {
        JsonNode value = JSON.readTree("{\"description\":\"Sign with " + AWS_KEY + " then mail bob@example.com\",\"n\":4111111111111111}");
        JsonNode written = RecordedValues.of(value, 300, List.of(Detectors.pii(Set.of("email"))));
        assertThat(written.path("description").asText()).isEqualTo("Sign with [REDACTED:secrets] then mail [REDACTED:pii]");
        assertThat(written.path("n").asText()).isEqualTo("[REDACTED:pii]");
        assertThat(value.path("description").asText()).as("the listed value is not touched").contains(AWS_KEY);
    }

    @Test
    void aKeyHoldingACredentialIsWrittenAsItsMarker() throws Exception {
        JsonNode value = JSON.readTree("{\"properties\":{\"" + AWS_KEY + "\":{\"type\":\"string\"},\"AKIAI44QH8DHBEXAMPLE\":{}}}");
        JsonNode written = RecordedValues.of(value, 300, List.of());
        assertThat(written.toString()).doesNotContain(AWS_KEY).doesNotContain("AKIAI44QH8DHBEXAMPLE");
        assertThat(written.path("properties").size()).as("two keys written as one marker stay two members").isEqualTo(2);
    }

    @Test
    void aCredentialTheBoundCutsIsNotWrittenInPart() throws Exception {
        // The key starts right where the string is cut: what is read of it is too short to be recognised, so it is dropped.
        String text = "x".repeat(300 + RecordedValues.LOOKAHEAD_CHARS - 11) + " " + AWS_KEY + " " + "y".repeat(1000);
        JsonNode written = RecordedValues.of(JSON.getNodeFactory().textNode(text), 300, List.of());
        assertThat(written.asText()).doesNotContain("AKIA").endsWith("...");
        // A credential that begins before the lookahead and ends inside it is replaced whole.
        String near = "x".repeat(294) + " " + AWS_KEY + " " + "y".repeat(2000);
        assertThat(RecordedValues.of(JSON.getNodeFactory().textNode(near), 300, List.of()).asText())
                .isEqualTo("x".repeat(294) + " [REDACTED:secrets]...").doesNotContain("AKIA");
    }

    @Test
    void aValueLongerThanShownIsCopiedOnlyAsFarAsItIsShown() throws Exception {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 100_000; i++) {
            many.append(i == 0 ? "" : ",").append("\"item").append(i).append('"');
        }
        JsonNode written = RecordedValues.of(JSON.readTree(many.append(']').toString()), 300, List.of());
        assertThat(written.size()).isBetween(1, 100);
    }
}
