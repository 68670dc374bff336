package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The entries of one list are scanned one by one, but draw on one budget: an upstream cannot multiply the pattern
 * matching one answer costs by splitting it into many entries each under the budget of a document.
 */
class SharedScanBudgetTest {

    /** Every line trips every trigger without matching (DetectorBenchmark's "tripped" text). */
    private static final String TRIPPED = "system user now key token pass ignore instruction prompt <| inst] sys>> @ :// akia eyj sk- xox"
            + " _live_ aiza AB12 1234 5678 9012 3456 - ";

    @Test
    void entriesEachUnderTheBudgetExhaustOneSharedBudget() {
        List<Detector> all = List.of(Detectors.instructionTags(), Detectors.injectionPhrases(), Detectors.secrets(4.2), Detectors.pii(java.util.Set.of("email", "phone", "card", "ssn", "nino", "iban")),
                Detectors.exfiltrationUrls(List.of()));
        List<JsonNode> entries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            entries.add(entry(16 * 1024));
        }
        // Alone, each is read within its own budget.
        for (JsonNode entry : entries) {
            DocumentScan.scan(entry, all);
        }
        // Together, in one budget, they are not.
        assertThatThrownBy(() -> DocumentScan.sharingOneBudget(() -> {
            entries.forEach(e -> DocumentScan.scan(e, all));
            return null;
        })).isInstanceOf(ScanBudget.Exceeded.class);
        // And the budget is not left shared once the list is done, not even for the last entry read in it.
        for (JsonNode entry : entries) {
            assertThat(DocumentScan.scan(entry, all)).isNotNull();
        }
    }

    private static JsonNode entry(int chars) {
        StringBuilder text = new StringBuilder();
        while (text.length() < chars) {
            text.append(TRIPPED);
        }
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("name", "t").put("description", text.substring(0, chars));
        return entry;
    }
}
