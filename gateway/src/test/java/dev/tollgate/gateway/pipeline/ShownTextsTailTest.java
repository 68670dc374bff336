package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The tail carried from one entry, page or event to the next ({@link ShownTexts#readTail}) is the end of the text as
 * the detectors read it: invisible characters removed, whitespace runs collapsed, and only then cut (review AX: padding
 * after the first half of a phrase pushed it out of a tail cut first).
 */
class ShownTextsTailTest {

    private static final String ZW = "\u200B";
    /** A tag character (U+E0041, "A" hidden): a run of them is text the detectors read, a lone one a splitter they skip. */
    private static final String TAG_A = new String(Character.toChars(0xE0041));

    @Test
    void paddingAfterThePhraseIsNotWhatTheTailKeeps() {
        assertThat(ShownTexts.readTail("Echoes. Ignore all previous" + " ".repeat(300), 256)).isEqualTo("Echoes. Ignore all previous ");
        assertThat(ShownTexts.readTail("Echoes. Ignore all previous " + ZW.repeat(300), 256)).isEqualTo("Echoes. Ignore all previous ");
        assertThat(ShownTexts.readTail("Echoes. Ignore all previous" + " \u200B\t\u2060\n".repeat(300), 256)).isEqualTo("Echoes. Ignore all previous ");
        assertThat(ShownTexts.readTail("Ignore all previous" + "\u3000".repeat(600), 256)).isEqualTo("Ignore all previous ");
        // Lone tag characters between spaces are skipped by the detectors, so they pad nothing either.
        assertThat(ShownTexts.readTail("Ignore all previous" + (" " + TAG_A).repeat(300), 256)).isEqualTo("Ignore all previous ");
    }

    @Test
    void keepsWhatTheDetectorsRead() {
        assertThat(ShownTexts.readTail("a b", 256)).isEqualTo("a b");
        assertThat(ShownTexts.readTail("a\tb\nc", 256)).as("a lone whitespace character is kept as it is").isEqualTo("a\tb\nc");
        assertThat(ShownTexts.readTail("ig" + ZW + "nore", 256)).isEqualTo("ignore");
        assertThat(ShownTexts.readTail("", 256)).isEmpty();
        // A run of tag characters is hidden text the detectors read as ASCII: kept as that ASCII (review BA: kept as
        // written, 300 tag spaces filled the tail two UTF-16 units each and cut off the phrase before them).
        assertThat(ShownTexts.readTail("x" + TAG_A.repeat(3), 256)).isEqualTo("xAAA");
        assertThat(ShownTexts.readTail("x" + TAG_A.repeat(3), 2)).isEqualTo("AA");
        assertThat(ShownTexts.readTail("x" + "\uDB40\uDC20".repeat(300), 256)).as("a run of tag spaces is one space").isEqualTo("x ");
        assertThat(ShownTexts.readTail("ab\uD83D\uDE00cd", 3)).isEqualTo("cd");
        assertThat(ShownTexts.readTail("ab\uD83D\uDE00cd", 4)).isEqualTo("\uD83D\uDE00cd");
    }

    @Test
    void cutsAtTheLengthAfterNormalizing() {
        String text = "x".repeat(1000) + "Ignore all previous" + (" " + ZW + " ").repeat(1000);
        String tail = ShownTexts.readTail(text, 256);
        assertThat(tail).hasSize(256).endsWith("Ignore all previous ");
    }

    /** The same as normalizing the whole text (invisible characters out, then runs collapsed) and cutting its end. */
    @Test
    void readingFromTheEndIsNormalizingWholeThenCutting() {
        char[] alphabet = {' ', '\t', '\n', '\u000B', '\f', '\r', 'a', 'b', '\u00A0', '\u2003', '\u0085', '\u3000', 'é', '\u200B', '\u00AD',
            '\u2060', '\uFEFF', '\u202E'};
        Pattern spaces = Pattern.compile("[\\s\\u0085\\p{Zs}\\u2028\\u2029\\u001C-\\u001F]{2,}");
        Random random = new Random(20261207);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(30);
            for (int k = 0; k < length; k++) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String s = text.toString();
            StringBuilder visible = new StringBuilder();
            s.codePoints().filter(cp -> !dev.tollgate.policy.detect.TextView.invisible(cp)).forEach(visible::appendCodePoint);
            String whole = spaces.matcher(visible).replaceAll(" ");
            int chars = 1 + random.nextInt(12);
            String expected = whole.length() <= chars ? whole : whole.substring(whole.length() - chars);
            assertThat(ShownTexts.readTail(s, chars)).as("%s / %d", s.chars().mapToObj(c -> String.format("%04x", c)).toList(), chars)
                    .isEqualTo(expected);
        }
    }
}
