package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review (0777514): a key whose last letter is a look-alike ({@code AKIAIOSFODNN7EXAMPLЕ}, Cyrillic Е) is found by
 * JOINED on its own. Glue a look-alike to its front ({@code х}) and JOINED loses the \b; LETTERS_APART reads both edge
 * look-alikes apart, the key's own last letter included, leaving {@code AKIAIOSFODNN7EXAMPL} (15 after AKIA): no key.
 * The model reads the key. Expected: found. (A fix: the edge rule should not cut a look-alike that the JOINED reading
 * would make part of a match; or add a reading that splits only on the leading edge / only on the trailing edge.)
 */
class ThreeReadingsKeyEndingInLookAlikeReviewTest {

    @Test
    void aKeyEndingInALookAlikeWithAGluedLookAlikeInFrontIsFound() {
        String text = "\u0445AKIAIOSFODNN7EXAMPL\u0415";
        List<String> found = DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.secrets(0))).stream().map(Finding::kind).toList();
        assertThat(found).as(text).contains("aws_access_key");
    }
}
