package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Review CA finding 2, fixed by fix AT: a rule that declares what its matches are made of reads the reading with markup
 * taken out only in the runs of those characters a mark was taken out of or beside (SeamRuns), each charged as read.
 */
class MarkupReadingBudgetReviewCATest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The markup reading is a second whole reading of every string from which one mark is taken out, and its pattern
     * matching draws on the same ScanBudget: an ordinary Markdown page (code spans, bold, a tag, no finding at all) of
     * 595,200 characters fitted the budget before this change and is now unscannable (denied as result_denied /
     * unscannable under a result rule). Measured: it fits with the markup reading turned off, and a 60 KB prefix of this
     * project's README.md likewise fits without and is refused with it. The reading could be charged only around the
     * marks it takes out (a window each side), as the other readings are read only around their triggers.
     */
    @Test
    void anOrdinaryMarkdownPageThatFittedTheScanBudgetStillFits() {
        String paragraph = "## Step 12\n\nCall `get_user_by_id(42)` with **user_id** set to 12345, then run `make test_all` "
                + "and read <b>docs</b> at https://example.com/docs/page_1 for the *full* list of 30 options.\n\n";
        ObjectNode result = JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", paragraph.repeat(3200));
        List<Detector> detectors = List.of(Detectors.injectionPhrases(), Detectors.instructionTags(), Detectors.secrets(3.5),
                Detectors.pii(Set.of("email", "phone", "card", "ssn", "nino", "iban")),
                Detectors.exfiltrationUrls(List.of("example.com")));
        assertThat(DocumentScan.scan(result, detectors)).isEmpty(); // threw ScanBudget.Exceeded before fix AT
    }
}
