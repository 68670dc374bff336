package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review (ff7ea4e): when only the second reading finds a key, its span stops at the first look-alike inside the key
 * (read as a space there). With {@code ™} glued before an OpenAI key (the first reading finds nothing: no \b) and a
 * fullwidth digit in it, the finding covers {@code sk-proj-AAAA...A} only; a redaction of the finding leaves
 * {@code ７BBBB...} (the rest of the key) in place. Expected: the findings cover the whole key the model reads.
 */
class WithBoundariesPartialRedactionReviewTest {

    @Test
    void theFindingsCoverTheWholeKeyNotJustThePartBeforeTheLookAlike() {
        String key = "sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\uFF17BBBBBBBBBBBBBBBBBBBB";
        String text = "key: \u2122" + key;
        List<Finding> found = DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.secrets(0)));
        int keyStart = text.indexOf("sk-");
        int keyEnd = text.length();
        assertThat(found).as(text).anySatisfy(f -> {
            assertThat(f.start()).isLessThanOrEqualTo(keyStart);
            assertThat(f.end()).isGreaterThanOrEqualTo(keyEnd);
        });
    }
}
