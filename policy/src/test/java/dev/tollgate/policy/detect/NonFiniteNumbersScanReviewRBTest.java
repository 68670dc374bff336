package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review RB: FastMCP's pre-parsed reading of JSON text holds NaN and the infinities as doubles (json.loads reads them), and
 * a detector scan of that reading wrote each number's digits through a BigDecimal, which threw for them: the scan failed
 * instead of finding the e-mail beside them.
 */
class NonFiniteNumbersScanReviewRBTest {

    @Test
    void aScanReadsNanAndTheInfinitiesAndStillFindsWhatIsBesideThem() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode()
                .put("nan", Double.NaN).put("inf", Double.POSITIVE_INFINITY).put("minus", Double.NEGATIVE_INFINITY)
                .put("to", "alice.smith@example.com");
        List<String> found = DocumentScan.scan(arguments, List.of(Detectors.pii(Detectors.PII_KINDS))).stream()
                .map(Finding::kind).toList();
        assertThat(found).isNotEmpty();
    }
}
