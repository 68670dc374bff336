package dev.tollgate.policy.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** AGT's Python semantics: {@code re.search} on Unicode text, {@code str()} of JSON values, ordering with coercion. */
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
                Arguments.of("(?i)DROP\\s+TABLE", "drop  table x", true));
    }

    @ParameterizedTest(name = "re.search({0}, {1}) is {2}")
    @MethodSource("searches")
    void searchesAsPythonDoes(String pattern, String text, boolean expected) {
        assertThat(PythonRegex.compile(pattern).find(text)).isEqualTo(expected);
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
            "[\"a\", 1, true, null] | ['a', 1, True, None]", "{\"k\": \"it's\"} | {'k': \"it's\"}"})
    void strIsPythons(String json, String expected) throws Exception {
        assertThat(PythonValues.str(JSON.readTree(json))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} <=> {1} = {2}")
    @CsvSource(delimiter = '|', value = {"\"5000\" | 2048 | 1", "\"-1.5e3\" | 0 | -1", "2048 | 2048.0 | 0", "true | 0 | 1",
            "\"b\" | \"a\" | 1"})
    void ordersNumbersAndCoercesNumericStrings(String a, String b, int sign) throws Exception {
        assertThat(Integer.signum(PythonValues.compare(JSON.readTree(a), JSON.readTree(b)))).isEqualTo(sign);
    }

    @ParameterizedTest(name = "{0} <=> {1} cannot be evaluated")
    @CsvSource(delimiter = '|', value = {"\"lots\" | 1", "\"0x10\" | 1", "\" 5\" | 1", "[1] | 1", "{} | 1"})
    void refusesToOrderWhatPythonCannot(String a, String b) {
        assertThatThrownBy(() -> PythonValues.compare(JSON.readTree(a), JSON.readTree(b))).isInstanceOf(IllegalArgumentException.class);
    }
}
