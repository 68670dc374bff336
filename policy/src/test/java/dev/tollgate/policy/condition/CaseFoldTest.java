package dev.tollgate.policy.condition;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CaseFold} is sound for both engines: whenever RE2/J or java.util.regex matches a pattern character
 * against a text character case-insensitively, the two fold to the same value; and the characters folded to a
 * space are exactly what the engines' Python {@code \s} matches.
 */
class CaseFoldTest {

    /** Every BMP character except surrogates, in order. */
    static String everyCharacter() {
        StringBuilder all = new StringBuilder();
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            if (!Character.isSurrogate((char) c)) {
                all.append((char) c);
            }
        }
        return all.toString();
    }

    /** Characters with a case mapping: only these can match anything but themselves case-insensitively. */
    private static String casedCharacters() {
        StringBuilder cased = new StringBuilder();
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            char ch = (char) c;
            if (!Character.isSurrogate(ch) && (Character.toUpperCase(ch) != ch || Character.toLowerCase(ch) != ch
                    || Character.toTitleCase(ch) != ch || hasCasePartner(ch))) {
                cased.append(ch);
            }
        }
        return cased.toString();
    }

    @Test
    void re2CaseInsensitiveMatchesOnlyCharactersWithTheSameFold() {
        String all = casedCharacters();
        List<String> wrong = new ArrayList<>();
        for (char ch : all.toCharArray()) {
            int c = ch;
            if (c >= 0x1c80 && c <= 0x1c88) {
                continue; // RE2/J 1.8 never finishes compiling these case-insensitively (see LinearRegex)
            }
            Matcher m = Pattern.compile(String.format("(?i)\\x{%x}", c)).matcher(all);
            while (m.find()) {
                char x = all.charAt(m.start());
                if (CaseFold.fold(x) != CaseFold.fold(ch)) {
                    wrong.add(String.format("U+%04X ~ U+%04X", c, (int) x));
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** Characters without case mappings of their own that fold with others (the Kelvin sign's partners). */
    private static boolean hasCasePartner(char c) {
        return c == 'k' || c == 's' || c == '\u00b5' || c == '\u00e5' || c == '\u03b9' || c == '\u0345';
    }

    @Test
    void javaCaseInsensitiveMatchesOnlyCharactersWithTheSameFold() {
        // java.util.regex with UNICODE_CASE compares toUpperCase, then toLowerCase(toUpperCase): CaseFold's rule.
        String all = everyCharacter();
        for (char c : "kKs\u212a\u017f\u03c3\u03c2\u0130\u0131\u00df\u1e9e".toCharArray()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(String.valueOf(c)),
                    java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE).matcher(all);
            while (m.find()) {
                assertThat(CaseFold.fold(all.charAt(m.start()))).as("U+%04X", (int) all.charAt(m.start())).isEqualTo(CaseFold.fold(c));
            }
        }
    }

    @Test
    void charactersFoldedToASpaceOrTabAreExactlyPythonWhitespaceInBothEngines() {
        String all = everyCharacter();
        String python = PythonRegex.translate("\\s", PythonRegex.Dialect.RE2);
        StringBuilder re2 = new StringBuilder();
        Matcher m = Pattern.compile(python).matcher(all);
        while (m.find()) {
            re2.append(all.charAt(m.start()));
        }
        StringBuilder viaJava = new StringBuilder();
        java.util.regex.Matcher j = java.util.regex.Pattern.compile(PythonRegex.translate("\\s", PythonRegex.Dialect.JAVA)).matcher(all);
        while (j.find()) {
            viaJava.append(all.charAt(j.start()));
        }
        StringBuilder folded = new StringBuilder();
        for (char c : all.toCharArray()) {
            if (CaseFold.fold(c) == ' ' || CaseFold.fold(c) == '\t') {
                folded.append(c);
            }
        }
        assertThat(re2.toString()).isEqualTo(folded.toString()).isEqualTo(viaJava.toString()).isEqualTo(PythonRegexParser.PYTHON_SPACE);
    }
}
