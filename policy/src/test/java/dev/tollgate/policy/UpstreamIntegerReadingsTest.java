package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Attacker's catalog (the ninth session's review): values an upstream reads as the denied integer through two steps
 * (a double, then a wrap; a rounding, then a wrap) or through text the readings did not trim or read (a byte order
 * mark, Python's NEL, digits outside the basic plane, an exponent with leading zeros). Each is denied.
 */
class UpstreamIntegerReadingsTest {

    private static CompiledPolicy nativeRule(String test) {
        return PolicyFixtures.rules("allow", """
                  - name: blocked-account
                    condition:
                      all:
                        - tool: transfer
                        - arg: {path: /to, %s}
                    action: deny
                    message: That account is frozen.
                """.formatted(test));
    }

    private static CompiledPolicy agtRule(String operator, String value) {
        return PolicyFixtures.policy("""
                version: "1.0"
                name: agt-numbers
                defaults: {action: allow}
                rules:
                  - name: blocked-account
                    condition: {field: to, operator: %s, value: %s}
                    action: deny
                    message: That account is frozen.
                """.formatted(operator, value));
    }

    private static Decision transferTo(CompiledPolicy policy, String account) {
        return policy.evaluate(toolCall("transfer", "{\"to\":" + account + ",\"amount\":5}"));
    }

    // JS `x | 0` wraps the DOUBLE: 4294967337.99999999999 is the double 4294967338, |0 = 42.
    @Test
    void wrapOfTheDoubleReadingNative() {
        assertThat(transferTo(nativeRule("eq: 42"), "4294967337.99999999999").isDenied()).isTrue();
    }

    @Test
    void wrapOfTheDoubleReadingAgt() {
        assertThat(transferTo(agtRule("eq", "42"), "4294967337.99999999999").isDenied()).isTrue();
    }

    // Same class, a large integer: 9007199254741035 (2^53+43) is the double 2^53+44, |0 = 44.
    @Test
    void wrapOfTheDoubleOfALargeInteger() {
        assertThat(transferTo(nativeRule("eq: 44"), "9007199254741035").isDenied()).isTrue();
    }

    // Ceil/round then wrap: Math.round(4294967337.5) | 0 = 42.
    @Test
    void wrapOfTheRoundedReading() {
        assertThat(transferTo(nativeRule("eq: 42"), "4294967337.5").isDenied()).isTrue();
    }

    // JS Number("4.2e00000000001") is 42 (also Python float(), Java BigDecimal): the exponent's leading zeros are not counted.
    @Test
    void exponentWithLeadingZeros() {
        assertThat(transferTo(nativeRule("eq: 42"), "\"4.2e00000000001\"").isDenied()).isTrue();
    }

    // JS Number() trims U+FEFF (BOM); Number("\uFEFF42.99999999999999999") is 43.
    @Test
    void byteOrderMarkBeforeADecimalForNumber() {
        assertThat(transferTo(nativeRule("eq: 43"), "\"\\uFEFF42.99999999999999999\"").isDenied()).isTrue();
    }

    // Math.round(Number("\uFEFF42.6")) is 43.
    @Test
    void byteOrderMarkBeforeADecimalForRounding() {
        assertThat(transferTo(nativeRule("eq: 43"), "\"\\uFEFF42.6\"").isDenied()).isTrue();
    }

    // Python int("\U0001D7D2\U0001D7D0") is 42 (decimal digits outside the basic plane).
    @Test
    void supplementaryPlaneDigitsForPythonInt() {
        assertThat(transferTo(nativeRule("eq: 42"), "\"\\ud835\\udfd2\\ud835\\udfd0\"").isDenied()).isTrue();
    }

    // Python int("\x8542") is 42 (U+0085 NEL is whitespace to str.strip).
    @Test
    void nextLineBeforeDigitsForPythonInt() {
        assertThat(transferTo(nativeRule("eq: 42"), "\"\\u008542\"").isDenied()).isTrue();
    }

    // Controls: the readings the guards of 1dc0936 skip nothing of.
    @Test
    void guardControls() {
        assertThat(transferTo(nativeRule("eq: 42"), "4294967338").isDenied()).isTrue();
        assertThat(transferTo(nativeRule("eq: \"42\""), "42").isDenied()).isTrue();
        assertThat(transferTo(nativeRule("eq: \"42\""), "[42]").isDenied()).isTrue();
        assertThat(transferTo(nativeRule("eq: 42"), "\"0x2A\"").isDenied()).isTrue();
        assertThat(transferTo(agtRule("in", "[\"41\", \"42\"]"), "42").isDenied()).isTrue();
        assertThat(transferTo(agtRule("contains", "42"), "[\"42\"]").isDenied()).isTrue();
        assertThat(transferTo(agtRule("eq", "42"), "4294967338").isDenied()).isTrue();
    }
}
