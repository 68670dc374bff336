package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review (bf38862, false positive; present at the parent too): ordinary Japanese / Chinese text ends a sentence that
 * names an allowed link with the ideographic full stop {@code 。} (U+3002) or the fullwidth {@code ．} (U+FF0E). An
 * ASCII {@code .} after the host is sentence punctuation and not a finding ({@code see https://docs.example.com.}),
 * but these are read as part of the host and the allowed link becomes a finding (IDNA maps both to {@code .}, so even
 * as a host it is {@code docs.example.com.}, the allowed host as an FQDN). Expected: no finding.
 */
class JapaneseFullStopAfterAllowedHostReviewTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "\u8A73\u3057\u304F\u306Fhttps://docs.example.com\u3002",   // 詳しくはhttps://docs.example.com。
            "\u8A73\u3057\u304F\u306F https://docs.example.com \u3002", // spaced differently; control
            "see https://docs.example.com\uFF0E",                      // fullwidth full stop
    })
    void anAllowedLinkFollowedByAFullStopIsNotAFinding(String text) {
        List<Finding> found = DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(List.of("docs.example.com"))));
        assertThat(found).as(text).isEmpty();
    }
}
