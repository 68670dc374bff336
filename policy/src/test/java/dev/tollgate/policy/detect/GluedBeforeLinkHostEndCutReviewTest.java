package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review (87062b4, against 12e8341): a link to an allowed host whose first label ends in a look-alike letter (Turkish
 * dotless ı, {@code kapı.example.org} under {@code *.example.org}), with a character glued in front of the link that reads
 * as a letter or digit (a footnote marker {@code ¹}, Hebrew's prefix vav {@code ו}). The joined reading sees no word start
 * at {@code https} (the glued character reads {@code 1} or {@code l}), so it finds no link. {@link TextView.Reading#LETTERS_APART}
 * reads both the glued character and the trailing {@code ı} as spaces: the link is {@code https://kap}, cut where a
 * character was read apart, but {@link DocumentScan}'s cut rule keeps it because the joined reading sees no word start
 * there. {@code kap} is not an allowed host: an exfiltration finding (a withheld result) on an allowed link. At 12e8341
 * these texts produced no finding.
 */
class GluedBeforeLinkHostEndCutReviewTest {

    private static final Detector URLS = Detectors.exfiltrationUrls(List.of("docs.example.com", "*.example.org"));

    @Test
    void aFootnoteMarkerBeforeALinkToAnAllowedTurkishSubdomainIsNoFinding() {
        String text = "Kaynak: \u00b9https://hal\u0131.example.org/katalog"; // ¹https://halı.example.org/katalog

        assertThat(DocumentScan.scan(TextNode.valueOf(text), List.of(URLS))).as(text).isEmpty();
    }

    @Test
    void aHebrewPrefixGluedToALinkToAnAllowedTurkishSubdomainIsNoFinding() {
        String text = "\u05d5https://kap\u0131.example.org/giri\u015f"; // וhttps://kapı.example.org/giriş

        assertThat(DocumentScan.scan(TextNode.valueOf(text), List.of(URLS))).as(text).isEmpty();
    }

    /** Control: the same link without anything glued in front is no finding (the cut rule leaves it to the joined reading). */
    @Test
    void theSameLinkWithASpaceInFrontIsNoFinding() {
        String text = "Kaynak: https://hal\u0131.example.org/katalog";

        assertThat(DocumentScan.scan(TextNode.valueOf(text), List.of(URLS))).as(text).isEmpty();
    }
}
