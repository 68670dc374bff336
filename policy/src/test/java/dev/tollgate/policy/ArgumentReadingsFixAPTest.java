package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fix AP (review BX): the readings around BX's reproducers ({@code ArgumentReadingsReviewBXTest}): a padded name read
 * trimmed, a number text too long to read, exponents past a double's range, AGT's {@code eq: 1} as the {@code in: [1, true]} it imports as, and AGT {@code matches} on a number's texts.
 */
class ArgumentReadingsFixAPTest {

    private static CompiledPolicy rule(String defaultAction, String action, String test) {
        return PolicyFixtures.rules(defaultAction, """
                  - name: the-rule
                    condition:
                      all:
                        - tool: t
                        - arg: {path: /x, %s}
                    action: %s
                    message: The rule.
                """.formatted(test, action));
    }

    private static CompiledPolicy deny(String test) {
        return rule("allow", "deny", test);
    }

    private static CompiledPolicy agtRule(String operator, String value) {
        return PolicyFixtures.policy("""
                version: "1.0"
                name: agt-fix-ap
                defaults: {action: allow}
                rules:
                  - name: the-rule
                    condition: {field: x, operator: %s, value: %s}
                    action: deny
                    message: The rule.
                """.formatted(operator, value));
    }

    private static Decision on(CompiledPolicy policy, String x) {
        return policy.evaluate(toolCall("t", "{\"x\":" + x + "}"));
    }

    private static void assertReadingsDisagree(CompiledPolicy policy, String x) {
        Decision decision = on(policy, x);
        assertThat(decision.isDenied()).as(x + ": " + decision.message()).isTrue();
        assertThat(decision.failure()).as(x + ": " + decision.message()).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
    }

    private static void assertAllowed(CompiledPolicy policy, String x) {
        Decision decision = on(policy, x);
        assertThat(decision.isDenied()).as(x + ": " + decision.message()).isFalse();
    }

    @Test
    void aPaddedNameIsDecidedTrimmedByBothSidesOfARule() {
        // Jackson's enum binding retries " DESTROY" trimmed; so do trim()-then-compare tools.
        for (String x : List.of("\" DESTROY\"", "\"DESTROY \"", "\"\\tDESTROY\\n\"", "\"\\u00a0DESTROY\"")) {
            assertReadingsDisagree(deny("in: [\"DESTROY\"]"), x);
            assertReadingsDisagree(deny("eq: \"DESTROY\""), x);
            assertReadingsDisagree(agtRule("eq", "DESTROY"), x);
            assertReadingsDisagree(agtRule("in", "[DESTROY]"), x);
            // The permit side: an allow rule ne: "DESTROY" does not allow the padded name.
            assertReadingsDisagree(rule("deny", "allow", "ne: \"DESTROY\""), x);
            assertReadingsDisagree(rule("deny", "allow", "not_in: [\"DESTROY\"]"), x);
        }
        // Padded names of other constants keep their decisions, and a substring test is not read trimmed.
        assertAllowed(deny("in: [\"DESTROY\"]"), "\" SAFE\"");
        assertAllowed(rule("deny", "allow", "ne: \"DESTROY\""), "\" SAFE \"");
        assertAllowed(deny("contains: \"DESTROY \""), "\"DESTROY\"");
    }

    @Test
    void theReadmesRuleForEnumOrdinalsDeniesDigits() {
        // Ordinals are not built (the gateway cannot know an enum's order); policy/README gives this rule instead.
        CompiledPolicy digits = deny("matches: \"^\\\\s*[0-9]\"");
        for (String x : List.of("1", "\"1\"", "\" 1\"", "0")) {
            assertThat(on(digits, x).isDenied()).as(x).isTrue();
        }
        assertAllowed(digits, "\"DESTROY\"");
    }

    @Test
    void aNumberTextTooLongToReadIsDeniedUnderATestNamingANumber() {
        String zeros = "0".repeat(3000);
        // Read exactly up to 4096 characters: Number() reads 42 here.
        assertReadingsDisagree(deny("eq: 42"), "\"42." + zeros + "\"");
        assertReadingsDisagree(deny("eq: 1.5"), "\"1.5" + zeros + "\"");
        String longer = "0".repeat(5000);
        assertReadingsDisagree(deny("eq: 42"), "\"42." + longer + "\"");
        assertReadingsDisagree(deny("eq: 1.5"), "\"1.5" + longer + "\"");
        assertReadingsDisagree(deny("in: [0.5, 1.5]"), "[\"1.5" + longer + "\"]");
        assertReadingsDisagree(rule("deny", "allow", "ne: 4.5"), "\"4.5" + longer + "\"");
        // Long text that is no number keeps its decision.
        assertAllowed(deny("eq: 1.5"), "\"" + "a".repeat(5000) + "\"");
        assertAllowed(deny("eq: 1.5"), "\"1.5 and then " + "words ".repeat(1000) + "\"");
    }

    /** A Java tool's {@code double} parameter as Jackson binds it by default. */
    record Amount(double x) {
    }

    @Test
    void aStringIsReadAsAJavaDoubleFieldReadsIt() {
        // Jackson's double field parses with Double.parseDouble: a type suffix and a hexadecimal float are numbers there.
        var jackson = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String x : List.of("1.5d", "1.5F", "0x1.8p0", " 15e-1d ")) {
            assertThat(jackson.convertValue(java.util.Map.of("x", x), Amount.class).x()).as(x).isEqualTo(1.5);
            assertReadingsDisagree(deny("eq: 1.5"), "\"" + x + "\"");
            assertReadingsDisagree(rule("deny", "allow", "ne: 1.5"), "\"" + x + "\"");
        }
        assertThat(jackson.convertValue(java.util.Map.of("x", "4.2e1d"), Amount.class).x()).isEqualTo(42.0);
        assertReadingsDisagree(deny("eq: 42"), "\"4.2e1d\""); // parseInt reads 4, Number() NaN
        assertReadingsDisagree(deny("in: [41, 42]"), "\"0x1.5p5\""); // parseInt reads 1
        assertAllowed(deny("eq: 1.5"), "\"1.6d\"");
        assertAllowed(deny("eq: 1.5"), "\"NaN\"");
    }

    @Test
    void anExponentPastADoublesRangeReadsAsJavaScriptReadsIt() {
        // Number("1e-500") and Number("4.2e-999999999999") are 0; Number("1e999999999999") is Infinity, which equals no rule number.
        assertReadingsDisagree(deny("eq: 0"), "\"1e-500\"");
        assertReadingsDisagree(deny("in: [0, 0.5]"), "\"4.2e-999999999999\"");
        assertReadingsDisagree(rule("deny", "allow", "ne: 0"), "\"1e-500\"");
        assertAllowed(deny("eq: 42"), "\"1e999999999999\"");
        assertAllowed(deny("eq: 42"), "\"43e999999999999\""); // 43 to parseInt, Infinity to Number()
    }

    @Test
    void agtEqOneIsDecidedAsTheFlagTestItImportsAs() {
        // AGT's eq: 1 is Python's == 1, which True meets: it imports as in: [1, true], the test eq: true imports as.
        for (String x : List.of("\"true\"", "\"yes\"", "[true]")) {
            assertReadingsDisagree(agtRule("eq", "1"), x);
            assertReadingsDisagree(deny("in: [1, true]"), x);
        }
        assertReadingsDisagree(agtRule("ne", "0"), "\"off\""); // ne holds on "off" as sent, not on it as False
        // A type test (True and False both) is not read as either flag, natively or in AGT.
        assertAllowed(deny("in: [true, false]"), "\"true\"");
        assertAllowed(agtRule("in", "[true, false]"), "\"true\"");
        // The lax readings deny no other number: 2 is not 1.
        assertAllowed(agtRule("eq", "true"), "2");
        assertAllowed(agtRule("eq", "true"), "\"no\"");
    }

    @Test
    void agtMatchesIsDecidedOnANumbersTextsToo() {
        // str(42.0) is "42.0" to AGT; JavaScript's String() and a Java String field's toString of the integral value give "42".
        assertReadingsDisagree(agtRule("matches", "'^42$'"), "42.0");
        assertReadingsDisagree(agtRule("matches", "'^/etc/'"), "[[\"/etc/shadow\"]]");
        assertAllowed(agtRule("matches", "'^42$'"), "43.0");
    }
}
