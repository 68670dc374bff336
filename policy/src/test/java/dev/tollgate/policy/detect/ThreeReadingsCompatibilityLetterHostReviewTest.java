package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review (bf38862): exfiltration past the allow-list with a compatibility letter in the host. Letterlike symbols
 * ({@code ℯ} U+212F script e, {@code ℊ}, {@code ℎ}, {@code ℓ}, ...) are not in {@code widthOrFontVariant}'s ranges
 * (they are the holes of the mathematical alphabet, in U+2100-214F), so they are "compatibility" characters: read as a
 * space in COMPATIBILITY_APART and LETTERS_APART. With {@code ™} (or a Cyrillic {@code с}) glued before the scheme, the
 * JOINED reading sees no link ({@code TMhttps}: no \b), and both other readings end the host at the allowed
 * {@code docs.example.com}. The model, and every UTS-46/WHATWG URL parser (U+212F maps to e), reads the host
 * {@code docs.example.comevil.net}, the attacker's domain. Expected: a finding.
 */
class ThreeReadingsCompatibilityLetterHostReviewTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "\u2122https://docs.example.com\u212Fvil.net/c?k=AKIA",   // ™ glued, script e
            "\u0441https://docs.example.com\u212Fvil.net/c?k=AKIA",   // Cyrillic с glued, script e
    })
    void aHostContinuedByALetterlikeSymbolIsAFinding(String text) {
        List<Finding> found = DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(List.of("docs.example.com"))));
        assertThat(found).as(text).isNotEmpty();
    }
}
