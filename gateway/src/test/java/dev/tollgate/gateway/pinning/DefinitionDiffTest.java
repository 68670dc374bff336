package dev.tollgate.gateway.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Review AG: a diff shows its first {@link DefinitionDiff#MAX_LINES} lines in order and counts the rest without text. */
class DefinitionDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void manyChangedMembersShowTheFirstInNameOrderAndCountTheRest() throws Exception {
        ObjectNode before = (ObjectNode) JSON.readTree("{\"properties\":{}}");
        ObjectNode after = before.deepCopy();
        ObjectNode properties = (ObjectNode) after.get("properties");
        for (int i = 99_999; i >= 0; i--) { // listed in reverse: the lines are in name order all the same
            properties.put(String.format("p%05d", i), i);
        }
        ((ObjectNode) before.get("properties")).put("p00003", -1).put("zzz", 1);

        List<String> lines = DefinitionDiff.between(before, after);

        assertThat(lines).hasSize(DefinitionDiff.MAX_LINES + 1);
        assertThat(lines.subList(0, 4)).containsExactly("/properties/p00000: added 0", "/properties/p00001: added 1",
                "/properties/p00002: added 2", "/properties/p00003: -1 -> 3");
        assertThat(lines.get(DefinitionDiff.MAX_LINES - 1)).isEqualTo("/properties/p00019: added 19");
        // 100,000 members differ (one changed, the others added) and zzz was removed
        assertThat(lines.get(DefinitionDiff.MAX_LINES)).isEqualTo("... and " + (100_001 - DefinitionDiff.MAX_LINES) + " more difference(s)");
    }

    @Test
    void countingPastTheLinesShownStopsAtItsNodeBudgetAndSaysAtLeast() throws Exception {
        ArrayNode before = JSON.createArrayNode();
        ArrayNode after = JSON.createArrayNode();
        int items = DefinitionDiff.MAX_COUNTED_NODES * 2;
        for (int i = 0; i < items; i++) {
            before.add(JSON.createObjectNode().put("a", i).put("b", i));
            after.add(JSON.createObjectNode().put("a", -i - 1).put("b", -i - 1));
        }

        List<String> lines = DefinitionDiff.between(before, after);

        assertThat(lines).hasSize(DefinitionDiff.MAX_LINES + 1);
        assertThat(lines.get(0)).isEqualTo("/0/a: 0 -> -1");
        assertThat(lines.get(DefinitionDiff.MAX_LINES)).startsWith("... and at least ").endsWith(" more difference(s)");
    }

    @Test
    void aLongValueShownIsCutWithoutBeingWrittenWhole() throws Exception {
        JsonNode before = JSON.readTree("{\"description\":\"short\"}");
        JsonNode after = JSON.readTree("{\"description\":\"" + "y".repeat(1_000_000) + "\"}");

        List<String> lines = DefinitionDiff.between(before, after);

        assertThat(lines).containsExactly("/description: \"short\" -> \"" + "y".repeat(DefinitionDiff.MAX_VALUE_CHARS - 1)
                + "...(1000002 chars)");
    }
}
