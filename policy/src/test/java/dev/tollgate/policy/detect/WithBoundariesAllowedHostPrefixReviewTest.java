package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review (ff7ea4e): exfiltration past the allow-list. With {@code ™} glued before the scheme the first reading finds no
 * link (TMhttps: no \b). In the second reading a fullwidth (or Cyrillic) letter glued to the allowed host's last letter
 * is read as a space, so the link ends there: {@code https://docs.example.com}, allowed in both its folded and its
 * original form. The model (and any URL parser: IDNA maps fullwidth ｅ to e) reads the host
 * {@code docs.example.comevil.net}, under the attacker's registrable domain comevil.net. At 264d696 the as-written
 * reading saw the whole host. Expected: a finding.
 */
class WithBoundariesAllowedHostPrefixReviewTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "\u2122https://docs.example.com\uFF45vil.net/c?k=AKIA",   // fullwidth ｅ: IDNA reads docs.example.comevil.net
            "\u2122https://docs.example.com\u0435vil.net/c?k=AKIA",   // Cyrillic е
            "\u00AAhttps://docs.example.co\uFF4D.evil.net/c",         // fullwidth ｍ ends the allowed host early
    })
    void aHostThatOnlyStartsWithTheAllowedOneIsAFinding(String text) {
        List<Finding> found = DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(List.of("docs.example.com", "*.example.co"))));
        assertThat(found).as(text).isNotEmpty();
    }
}
