package dev.tollgate.policy.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** AGT's Python semantics: {@code re.search} on Unicode text, {@code str()} of JSON values, ordering, {@code in}. */
class PythonSemanticsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> searches() {
        return Stream.of(
                // pattern, text, what Python's re.search says
                Arguments.of("^\\d+$", "\u0661\u0662\u0663", true),          // Arabic-Indic digits are \d in Python
                Arguments.of("^\\d+$", "\u00b2", false),                      // superscript two is not decimal
                Arguments.of("^\\w+$", "caf\u00e9_\u4e2d\u6587", true),        // letters of any script and _
                Arguments.of("^\\W$", "\u00e9", false),
                Arguments.of("a\\sb", "a\u00a0b", true),                      // NBSP is whitespace in Python
                Arguments.of("a\\sb", "a\u2003b", true),
                Arguments.of("a\\Sb", "a\u00a0b", false),
                Arguments.of("[\\d]x", "\u0663x", true),                       // inside a class too
                Arguments.of("[^\\d]x", "\u0663x", false),
                Arguments.of("[]a]", "]", true),                               // ] first in a class is literal
                Arguments.of("end\\Z", "the end", true),
                Arguments.of("end$", "the end\n", true),
                Arguments.of("\\u00e9t\\u00e9", "\u00e9t\u00e9", true),
                Arguments.of("(?i)DROP\\s+TABLE", "drop  table x", true),
                // Lookaround and backreferences (java.util.regex with a step budget), as AGT's examples use them.
                Arguments.of("https?://(?!(api\\.github\\.com|pypi\\.org))", "see https://api.github.com/x", false),
                Arguments.of("https?://(?!(api\\.github\\.com|pypi\\.org))", "see https://evil.example/x", true),
                Arguments.of("(?<!my\\s)password", "my password", false),
                Arguments.of("(?<!my\\s)password", "the password", true),
                Arguments.of("(?=.*secret)(?=.*key)", "key and secret", true),
                Arguments.of("(\\w+) \\1", "hello hello", true),
                Arguments.of("(?P<w>\\w+)-(?P=w)", "ab-ab", true),
                Arguments.of("(?P<w>\\w+)-(?P=w)", "ab-cd", false),
                // \b and \B over Python's Unicode \w: letters of any script are word characters, quotes are not.
                Arguments.of("\\bcat\\b", "\u0645cat", false),
                Arguments.of("\\bcat\\b", "\u00e9cat", false),
                Arguments.of("\\Bcat", "\u00e9cat", true),
                Arguments.of("\\bcat\\b", "a cat!", true),
                Arguments.of("\\bcat\\b", "\u2019cat\u2019", true),
                Arguments.of("\\bcat\\b", "\u0663cat", false),               // Arabic-Indic digit
                // Braces: Python reads {,n} as {0,n} and any other non-repetition '{' as a literal.
                Arguments.of("\\^{\\+", "x^{+y", true),
                Arguments.of("a{,2}b", "aab", true),
                Arguments.of("^a{,2}b$", "aaab", false),
                // Inside brackets '[' and '&&' are plain characters in Python.
                Arguments.of("[[]x", "[x", true),
                Arguments.of("(?i)\\u212a", "k", true),                       // Kelvin sign folds to k
                Arguments.of("(?i)stra\\u00dfe", "STRASSE", false),           // simple folding only
                Arguments.of("a.b", "a\rb", true),                             // . excludes only \n
                // Too large for RE2/J to scan 256 characters: java.util.regex, on any length up to the input limit.
                Arguments.of("(?i)ignore[^\\n]{0,200}instructions", "please ignore " + "x".repeat(150) + " instructions", true),
                Arguments.of("(?i)ignore[^\\n]{0,200}instructions", "please ignore " + "x".repeat(250) + " instructions", false));
    }

    @ParameterizedTest(name = "re.search({0}, {1}) is {2}")
    @MethodSource("searches")
    void searchesAsPythonDoes(String pattern, String text, boolean expected) {
        assertThat(PythonRegex.compile(pattern).find(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "java.util.regex: re.search({0}, {1}) is {2}")
    @MethodSource("searches")
    void backtrackingPathSearchesAsPythonDoesToo(String pattern, String text, boolean expected) {
        // Both engines of a TwoEngineRegex must give one answer: the Java spelling is checked on every case.
        assertThat(BacktrackingRegex.compile(PythonRegex.translate(pattern, PythonRegex.Dialect.JAVA), pattern).find(text))
                .isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void zAlsoMatchesBeforeAFinalLineBreakUnlikePython() {
        // Deviation (policy/README.md): every search is retried without one final line break so that $ behaves
        // as in Python; that retry makes \Z match "the end\n" too, where Python's \Z does not. Fail closed for
        // deny rules (they match more).
        assertThat(PythonRegex.compile("end\\Z").find("the end\n")).isTrue();
    }

    @ParameterizedTest(name = "str({0}) = {1}")
    @CsvSource(delimiter = '|', value = {
            "true | True", "false | False", "5000 | 5000", "5.0 | 5.0", "0.5 | 0.5", "1e16 | 1e+16", "1.5e-7 | 1.5e-07",
            "123456789012345678901234567890 | 123456789012345678901234567890", "\"text\" | text",
            "[\"a\", 1, true, null] | ['a', 1, True, None]", "{\"k\": \"it's\"} | {'k': \"it's\"}",
            // repr escapes what str.isprintable() rejects (so a pattern on a list cannot see an NBSP as a space) ...
            "[\"a\\u00a0b\", \"a\\u200bb\", \"a\\u0000b\"] | ['a\\xa0b', 'a\\u200bb', 'a\\x00b']",
            "[\"\\uDB40\\uDC01\"] | ['\\U000e0001']",
            // ... and keeps printable letters, digits and symbols of every script, astral ones included.
            "[\"caf\\u00e9 \\u0663 \\uD83D\\uDE00\"] | ['caf\u00e9 \u0663 \uD83D\uDE00']",
            // A string on its own is not repr'd.
            "\"a\\u00a0b\" | a\u00a0b"})
    void strIsPythons(String json, String expected) throws Exception {
        assertThat(PythonValues.str(JSON.readTree(json))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} <=> {1} = {2}")
    @CsvSource(delimiter = '|', value = {"2048 | 2048.0 | 0", "true | 0 | 1", "\"b\" | \"a\" | 1",
            // Python orders str by code point: U+1F600 is above U+FFFD (in UTF-16 units it would be below).
            "\"\\uD83D\\uDE00\" | \"\\uFFFD\" | 1"})
    void ordersNumbersAndStringsAsPythonDoes(String a, String b, int sign) throws Exception {
        assertThat(Integer.signum(PythonValues.compare(JSON.readTree(a), JSON.readTree(b)))).isEqualTo(sign);
    }

    @ParameterizedTest(name = "{0} <=> {1} cannot be evaluated")
    // A numeric string is no number either: "5000" > 2048 is a TypeError in Python, and AGT denies the call.
    @CsvSource(delimiter = '|', value = {"\"5000\" | 2048", "\"-1.5e3\" | 0", "\"lots\" | 1", "\"0x10\" | 1", "\" 5\" | 1",
            "[1] | 1", "{} | 1"})
    void refusesToOrderWhatPythonCannot(String a, String b) {
        assertThatThrownBy(() -> PythonValues.compare(JSON.readTree(a), JSON.readTree(b))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} in {1} cannot be evaluated")
    @CsvSource(delimiter = '|', value = {"[1] | {\"a\": 1}", "{} | {\"a\": 1}", "1 | \"abc\"", "\"a\" | 5"})
    void refusesMembershipPythonCannotTest(String item, String container) {
        // A list or dict is unhashable (no dict-key lookup); a number is no substring; a number is no container.
        assertThatThrownBy(() -> PythonValues.in(JSON.readTree(item), JSON.readTree(container)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
