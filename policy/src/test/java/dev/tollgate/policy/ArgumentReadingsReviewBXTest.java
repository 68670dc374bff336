package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review BX: readings of an argument the fixes AK/AN (JavaScript's {@code Number()}/{@code Boolean()}, lax boolean fields)
 * leave out, though a real upstream acts on them. Each test is a reproducer: it fails on the current code.
 * <ol>
 *   <li>A string spelling a fraction ({@code "1.5"}) under a test naming a fraction ({@code eq: 1.5},
 *       {@code in: [0.5, 1.5]}): {@code z.coerce.number()} and a Jackson {@code double} field read 1.5, and the list
 *       {@code ["1.5"]} is already denied, but the bare string passes.</li>
 *   <li>A number spelled with more than 64 significant characters ({@code "4.2000…0e1"},
 *       {@code "42000…0e-70"}): {@code Number()} reads 42, the gateway reads no number at all.</li>
 *   <li>A boolean listed with its number ({@code in: [true, 1]}, which is also what every AGT {@code eq: true}
 *       imports as): the lax boolean readings ({@code "true"}, {@code "yes"}, {@code "on"}, {@code [true]}) are not
 *       made, though Jackson's {@code boolean} field and {@code z.coerce.boolean()} read them as true.</li>
 * </ol>
 * Also: the lax false under AGT's {@code eq: false}, and the permit side of 1 ({@code ne: 4.5} allowing {@code "4.5"}).
 * Expected (what the fix AN behaviour gives elsewhere): a denial, by the rule or with {@code number_readings_disagree}.
 */
class ArgumentReadingsReviewBXTest {

    private static CompiledPolicy rule(String test) {
        return PolicyFixtures.rules("allow", """
                  - name: the-rule
                    condition:
                      all:
                        - tool: t
                        - arg: {path: /x, %s}
                    action: deny
                    message: The rule.
                """.formatted(test));
    }

    private static CompiledPolicy agtRule(String operator, String value) {
        return PolicyFixtures.policy("""
                version: "1.0"
                name: agt-bx
                defaults: {action: allow}
                rules:
                  - name: the-rule
                    condition: {field: x, operator: %s, value: %s}
                    action: deny
                    message: The rule.
                """.formatted(operator, value));
    }

    private static void assertDenied(CompiledPolicy policy, String x, String what) {
        Decision decision = policy.evaluate(toolCall("t", "{\"x\":" + x + "}"));
        assertThat(decision.isDenied()).as(what + " on " + x + ": " + decision.message()).isTrue();
    }

    @Test
    void aStringSpellingADeniedFractionIsDenied() {
        // Control: the list holding that string is read as JavaScript's Number() and denied already.
        assertDenied(rule("eq: 1.5"), "[\"1.5\"]", "eq: 1.5");
        for (String x : List.of("\"1.5\"", "\" 1.5 \"", "\"15e-1\"", "\"+1.50\"")) {
            assertDenied(rule("eq: 1.5"), x, "eq: 1.5");
            assertDenied(rule("in: [0.5, 1.5]"), x, "in: [0.5, 1.5]");
        }
        assertDenied(agtRule("eq", "1.5"), "\"1.5\"", "AGT eq 1.5");
    }

    @Test
    void aDeniedIntegerSpelledWithManyDigitsIsDenied() {
        String zeros = "0".repeat(70);
        // Control: the same with few digits is denied (number_readings_disagree).
        assertDenied(rule("eq: 42"), "\"4.2" + "0".repeat(10) + "e1\"", "eq: 42");
        for (String x : List.of("\"4.2" + zeros + "e1\"", "\"42" + zeros + "e-70\"", "\"0." + zeros + "42e72\"", "[\"4.2" + zeros + "e1\"]")) {
            assertDenied(rule("eq: 42"), x, "eq: 42");
            assertDenied(rule("in: [41, 42]"), x, "in: [41, 42]");
            assertDenied(agtRule("eq", "42"), x, "AGT eq 42");
        }
    }

    /** A Java tool's {@code boolean} parameter as Jackson binds it by default (Spring AI, or convertValue to a record). */
    record Flag(boolean force) {
    }

    private static boolean jacksonReads(Object force) {
        return new com.fasterxml.jackson.databind.ObjectMapper().convertValue(java.util.Map.of("force", force), Flag.class).force();
    }

    @Test
    void aLaxTrueIsDeniedByATestListingTrueWithItsNumber() {
        // What a Jackson-bound upstream acts on: "true", "True" and any non-zero integer are true.
        assertThat(List.of(jacksonReads("true"), jacksonReads("True"), jacksonReads(2))).containsOnly(true);
        // Control: in: [true] alone is decided on the lax readings.
        assertDenied(rule("in: [true]"), "\"true\"", "in: [true]");
        for (String x : List.of("\"true\"", "\"True\"", "\"yes\"", "\"on\"", "[true]")) {
            assertDenied(rule("in: [true, 1]"), x, "in: [true, 1]");
            assertDenied(agtRule("eq", "true"), x, "AGT eq true");
        }
    }

    @Test
    void aLaxFalseIsDeniedByAnAgtRuleDenyingFalse() {
        // AGT's eq: false (imported as in: [false, 0]): a Jackson boolean field reads "false" and "False" as false.
        assertThat(List.of(jacksonReads("false"), jacksonReads("False"))).containsOnly(false);
        assertDenied(agtRule("eq", "false"), "false", "control: AGT eq false");
        assertDenied(agtRule("eq", "false"), "\"false\"", "AGT eq false");
        assertDenied(agtRule("eq", "false"), "\"False\"", "AGT eq false");
    }

    @Test
    void anAllowRuleNamingAFractionDoesNotAllowItsString() {
        // The permit side of finding 1: ne: 4.5 holds on "4.5" as sent, but Number("4.5") is 4.5.
        CompiledPolicy notFourAndAHalf = PolicyFixtures.rules("deny", """
                  - name: the-rule
                    condition:
                      all:
                        - tool: t
                        - arg: {path: /x, ne: 4.5}
                    action: allow
                    message: The rule.
                """);
        assertThat(notFourAndAHalf.evaluate(toolCall("t", "{\"x\":[\"4.5\"]}")).isDenied()).as("control: [\"4.5\"]").isTrue();
        assertThat(notFourAndAHalf.evaluate(toolCall("t", "{\"x\":\"4.5\"}")).isDenied()).as("\"4.5\"").isTrue();
    }
}
