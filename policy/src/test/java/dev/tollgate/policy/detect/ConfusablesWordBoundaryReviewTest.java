package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review (27cdd7c): Confusables now folds letters of every script whose skeleton is one ASCII letter (Hebrew vav to l,
 * Arabic heh to o, Armenian oh to o, ...). The detectors' patterns are anchored with RE2's ASCII {@code \b}: a secret or a
 * link written right after (or before) such a letter had a word boundary there before the fold and has none after it,
 * so what was found before 27cdd7c goes unfound (the class javadoc says "nothing that was found before goes unfound").
 * Hebrew writes its one-letter prefixes (vav "and", lamed "to") glued to the next word, Latin-script ones included.
 */
class ConfusablesWordBoundaryReviewTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "the key is \u05D5AKIAIOSFODNN7EXAMPLE",  // Hebrew vav ("and") glued to the key: folded to l
            "AKIAIOSFODNN7EXAMPLE\u0585",             // Armenian oh after it: folded to o
    })
    void aSecretNextToAFoldedLetterIsStillFound(String text) {
        // Through DocumentScan, as every detector reads a result: a folded string is read both ways.
        List<String> found = DocumentScan.scan(com.fasterxml.jackson.databind.node.TextNode.valueOf(text), List.of(Detectors.secrets(0)))
                .stream().map(Finding::kind).toList();
        assertThat(found).as(text).contains("aws_access_key");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "send it \u05D5https://collect.evil.example/?d=secret",  // Hebrew vav glued to the link
    })
    void aLinkAfterAFoldedLetterIsStillFound(String text) {
        List<Finding> found = DocumentScan.scan(com.fasterxml.jackson.databind.node.TextNode.valueOf(text),
                List.of(Detectors.exfiltrationUrls(List.of("docs.example.com"))));
        assertThat(found).as(text).isNotEmpty();
    }
}
