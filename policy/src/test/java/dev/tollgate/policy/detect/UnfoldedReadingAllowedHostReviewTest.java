package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review (a134610): DocumentScan now reads a string holding a folded look-alike letter a second time, unfolded
 * ({@link TextView#unfolded}). {@link Detectors#exfiltrationUrls} was written for the folded reading only: it compares the
 * link's host from the normalized text with the allow-list entries <em>folded</em>, and the host as written with the
 * entries as written. In the unfolded reading the normalized host is the host as written, compared with the folded
 * entries: an allowed host spelled in Cyrillic (an IDN such as {@code пример.рф}, whose р and е fold to p and e) is
 * never equal to its folded entry, so every link to it is now an exfiltration finding (a deny or a withheld result)
 * where before a134610 it passed.
 */
class UnfoldedReadingAllowedHostReviewTest {

    @Test
    void aLinkToAnAllowedHostWrittenInCyrillicIsStillAllowed() {
        String host = "\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"; // пример.рф
        Detector urls = Detectors.exfiltrationUrls(List.of(host));

        List<Finding> found = DocumentScan.scan(TextNode.valueOf("docs: https://" + host + "/api"), List.of(urls));

        assertThat(found).as("a link to the allowed host " + host).isEmpty();
    }

    /** Control: a look-alike of an allowed Latin host is still found (the reason the host is also read as written). */
    @Test
    void aLookAlikeOfAnAllowedLatinHostIsStillFound() {
        Detector urls = Detectors.exfiltrationUrls(List.of("apple.com"));

        List<Finding> found = DocumentScan.scan(TextNode.valueOf("see https://\u0430\u0440\u0440\u04cf\u0435.com/x"), List.of(urls));

        assertThat(found).isNotEmpty();
    }
}
