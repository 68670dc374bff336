package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Review (ff7ea4e): false positive. An allowed internationalized host that mixes ASCII digits with Cyrillic letters
 * (2гис.рф, 1с.рф) has a Cyrillic letter (which folds to ASCII r/c) beside an ASCII digit, so the second reading cuts
 * the host at it: {@code https://2} and {@code https://1}, hosts not on the allow-list. Detectors.exfiltrationUrls now
 * checks both hosts in every reading (the "as written: original only" branch was removed), so an allowed link is a
 * finding. At 264d696 it was not. Expected: no finding for a link to an allowed host.
 */
class WithBoundariesIdnHostReviewTest {

    @ParameterizedTest
    @CsvSource({
            "'See https://2\u0433\u0438\u0441.\u0440\u0444/ for maps', '2\u0433\u0438\u0441.\u0440\u0444'",
            "'See https://1\u0441.\u0440\u0444/ for docs', '1\u0441.\u0440\u0444'",
    })
    void aLinkToAnAllowedMixedScriptHostIsNotAFinding(String text, String allowed) {
        List<Finding> found = DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(List.of(allowed))));
        assertThat(found).as(text).isEmpty();
    }
}
