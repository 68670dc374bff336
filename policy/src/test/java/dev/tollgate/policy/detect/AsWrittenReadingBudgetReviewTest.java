package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review (264d696): every string that normalizing changes is now read twice, and both readings draw on the one
 * document budget (ScanBudget.DEFAULT_CHARS). Normalizing changes far more than look-alike folds did before: one
 * fullwidth comma (NFKC ","), a no-break space, a ™, a curly-quote-free CJK sentence's "（" — ordinary text in
 * Japanese/Chinese results and HTML-derived text. A result under limits.max-scanned-result-bytes that was scanned within
 * budget at a134610 (one reading: the comma folds nothing) now exceeds it, and the rule fails closed (denied).
 * Expected: a document within the scanned-size limit that holds one compatibility character is still scannable.
 */
class AsWrittenReadingBudgetReviewTest {

    @Test
    void oneFullwidthCommaDoesNotDoubleTheScanCostPastTheBudget() {
        StringBuilder text = new StringBuilder();
        while (text.length() < 600_000) {
            text.append("see https://docs.example.com/a/b/c for details ");
        }
        text.append("\uFF0C"); // one fullwidth comma: NFKC ","
        Detector urls = Detectors.exfiltrationUrls(List.of("docs.example.com"));

        assertThatCode(() -> DocumentScan.scan(TextNode.valueOf(text.toString()), List.of(urls))).doesNotThrowAnyException();
    }
}
