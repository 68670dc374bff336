package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review (bf38862): redaction still leaves the tail of a key. When the edge glue defeats JOINED (and, for a Cyrillic
 * {@code с}, COMPATIBILITY_APART too), only LETTERS_APART / COMPATIBILITY_APART find the key, and they read a
 * compatibility letter ({@code Ⅰ}) or a look-alike between ASCII letters ({@code о}) inside it as a space: the finding
 * stops there and {@code redact} leaves {@code ⅠBBBB...} / {@code оBBBB...} (20 chars of the key) in the answer.
 * Expected: no part of the key's tail remains after redaction.
 */
class ThreeReadingsPartialRedactionReviewTest {

    private static final String A = "A".repeat(36);
    private static final String B = "B".repeat(20);

    @ParameterizedTest
    @ValueSource(strings = {
            "key: \u2122sk-proj-" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + "\u2160" + "BBBBBBBBBBBBBBBBBBBB",
            "key: \u0441sk-proj-" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + "\u043E" + "BBBBBBBBBBBBBBBBBBBB",
            "\u0441ghp_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + "\u043E" + "BBBBBBBBBBBBBBBBBBBB",
    })
    void redactionCoversTheWholeKey(String text) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode().put("t", text);
        List<Finding> found = DocumentScan.scan(doc, List.of(Detectors.secrets(0)));
        assertThat(found).as(text).isNotEmpty();
        DocumentScan.redact(doc, found);
        assertThat(doc.get("t").textValue()).as(text).doesNotContain("BBBB").doesNotContain(A.substring(0, 8));
    }
}
