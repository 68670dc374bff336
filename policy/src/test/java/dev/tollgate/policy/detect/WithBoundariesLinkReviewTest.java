package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review (ff7ea4e): the second reading ({@link TextView#withBoundaries}) reads a look-alike written beside an ASCII
 * letter as a space. A look-alike as the first letter of a link's host ({@code https://еvil.example}, Cyrillic е) is
 * beside the 'v', so the second reading sees {@code https:// vil.example}: no host, no link. A compatibility character
 * glued before the scheme ({@code ™}, {@code ª}) makes the first reading {@code TMhttps://evil.example}: no word
 * boundary before the scheme, no link either. At 264d696 the as-written reading found these links (™ is no ASCII word
 * character); now neither reading does, and the model reads a plain link to evil.example. Expected: a finding.
 */
class WithBoundariesLinkReviewTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "\u2122https://\u0435vil.example/collect?k=",   // ™ glued, Cyrillic е first in host: found at 264d696
            "\u00AAhttps://\u0435vil.example/collect?k=",   // ª glued
            "\u2122https://\uFF45vil.example/collect?k=",   // fullwidth ｅ
            "\u2116https://\u0435vil.example/collect?k=",   // №
    })
    void aLinkWithALookAlikeFirstHostLetterAndAGluedCompatibilityCharacterIsFound(String text) {
        List<Finding> found = DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(List.of("docs.example.com"))));
        assertThat(found).as(text).isNotEmpty();
    }

    /** Without the glued ™ the first reading finds it: the two holes only line up together. */
    @Test
    void control_withoutTheGluedCharacterTheLinkIsFound() {
        String text = "https://\u0435vil.example/collect?k=";
        assertThat(DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(List.of("docs.example.com"))))).isNotEmpty();
    }
}
