package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review BW, findings 1 and 2 (fix AN): a tool typing a field {@code z.coerce.number()} runs JavaScript's
 * {@code Number(x)} ({@code [42]} is 42, {@code []} and {@code null} are 0), and one typing it {@code z.coerce.boolean()}
 * runs {@code Boolean(x)} ({@code "false"}, {@code 1}, {@code []} are true). A test naming a number or a boolean is
 * decided on those readings too; a disagreement denies.
 */
class JavaScriptCoercionReadingsPolicyTest {

    private static CompiledPolicy rule(String tool, String test, String action, String defaultAction) {
        return PolicyFixtures.rules(defaultAction, """
                  - name: the-rule
                    condition:
                      all:
                        - tool: %s
                        - arg: {path: /x, %s}
                    action: %s
                    message: The rule.
                """.formatted(tool, test, action));
    }

    private static CompiledPolicy agtRule(String operator, String value) {
        return PolicyFixtures.policy("""
                version: "1.0"
                name: agt-coercions
                defaults: {action: allow}
                rules:
                  - name: the-rule
                    condition: {field: x, operator: %s, value: %s}
                    action: deny
                    message: The rule.
                """.formatted(operator, value));
    }

    private static Decision call(CompiledPolicy policy, String x) {
        return policy.evaluate(toolCall("t", "{\"x\":" + x + "}"));
    }

    private static void assertDisagree(Decision decision, String x) {
        assertThat(decision.isDenied()).as(x).isTrue();
        assertThat(decision.failure()).as(x).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
    }

    private static void assertAllowed(Decision decision, String x) {
        assertThat(decision.isDenied()).as(x + ": " + decision.message()).isFalse();
    }

    @Test
    void listsAndNullJavaScriptReadsAsADeniedNumberAreDenied() {
        CompiledPolicy policy = rule("t", "in: [0, 42]", "deny", "allow");
        for (String x : List.of("[42]", "[\"42\"]", "[[42]]", "[[[\"42\"]]]", "[\" 0x2A \"]", "[42.0]", "[\"4.2e1\"]", "[]", "[[]]",
                "[null]", "[\"\"]", "[\"  \"]", "null")) {
            assertDisagree(call(policy, x), x);
        }
        assertDisagree(call(rule("t", "eq: 42", "deny", "allow"), "[42]"), "eq [42]");
        assertDisagree(call(rule("t", "eq: 0.5", "deny", "allow"), "[\"0.5\"]"), "eq 0.5 [\"0.5\"]");
        // The other integer readings of the list's text: parseInt and the 32-bit wrap.
        assertDisagree(call(rule("t", "eq: 42", "deny", "allow"), "[\"42abc\"]"), "parseInt");
        assertDisagree(call(rule("t", "eq: 42", "deny", "allow"), "[4294967338]"), "wrapped");
    }

    @Test
    void listsJavaScriptReadsAsNaNOrAnotherNumberPass() {
        CompiledPolicy policy = rule("t", "in: [0, 42]", "deny", "allow");
        for (String x : List.of("[1, 2]", "[42, 42]", "[null, 42]", "[true]", "[{}]", "[7]", "[\"abc\"]", "{\"a\": 42}", "7", "[[1, 2]]")) {
            assertAllowed(call(policy, x), x);
        }
    }

    @Test
    void aLongListCostsOneLookAtItsSize() {
        StringBuilder list = new StringBuilder("[");
        for (int i = 0; i < 200_000; i++) {
            list.append(i == 0 ? "" : ",").append(42);
        }
        String x = list.append(']').toString();
        assertAllowed(call(rule("t", "eq: 42", "deny", "allow"), x), "a long list");
    }

    @Test
    void anAllowListDoesNotAllowWhatOnlyOneReadingAllows() {
        CompiledPolicy onlyAccount42 = rule("t", "in: [42]", "allow", "deny");
        assertAllowed(call(onlyAccount42, "42"), "42");
        assertDisagree(call(onlyAccount42, "[42]"), "[42]");
        assertThat(call(onlyAccount42, "[7]").isDenied()).isTrue();
        CompiledPolicy notZero = rule("t", "ne: 0", "allow", "deny");
        assertAllowed(call(notZero, "5"), "5");
        assertDisagree(call(notZero, "null"), "null is 0");
        assertDisagree(call(notZero, "[]"), "[] is 0");
    }

    @Test
    void orderingsReadNullAsZero() {
        assertDisagree(call(rule("t", "lt: 1", "deny", "allow"), "null"), "null lt 1");
        assertAllowed(call(rule("t", "gt: 1", "deny", "allow"), "null"), "null gt 1");
    }

    @Test
    void aListNamedAsAListIsNotReadAsANumber() {
        CompiledPolicy listRule = rule("t", "eq: [42]", "allow", "deny");
        assertAllowed(call(listRule, "[42]"), "[42] eq [42]");
    }

    @Test
    void agtConditionsReadListsAndNullAsJavaScriptDoes() {
        assertDisagree(call(agtRule("in", "[0, 42]"), "[42]"), "agt [42]");
        // A null is AGT's None, which matches no operator; but Number(null) is 0 upstream.
        assertDisagree(call(agtRule("eq", "0"), "null"), "agt null");
        assertAllowed(call(agtRule("eq", "1"), "null"), "agt null eq 1");
        assertDisagree(call(agtRule("eq", "true"), "[1]"), "agt True is 1");
        assertAllowed(call(agtRule("eq", "42"), "[1, 2]"), "agt [1, 2]");
    }

    @Test
    void valuesJavaScriptReadsAsTrueAreDeniedByARuleDenyingTrue() {
        for (String test : List.of("eq: true", "in: [true]", "ne: false", "not_in: [false]")) {
            CompiledPolicy policy = rule("t", test, "deny", "allow");
            for (String x : List.of("1", "-1", "0.5", "\"false\"", "\"no\"", "\"0\"", "\"true\"", "\"x\"", "[]", "{}", "[false]", "{\"a\":false}")) {
                Decision decision = call(policy, x);
                if (test.startsWith("eq") || test.startsWith("in")) {
                    assertDisagree(decision, test + " on " + x);
                } else {
                    // ne/not_in hold on a value that is not false already: denied by the rule, or by a disagreement.
                    assertThat(decision.isDenied()).as(test + " on " + x).isTrue();
                }
            }
            assertThat(call(policy, "true").isDenied()).as(test + " on true").isTrue();
            assertAllowed(call(policy, "false"), test + " on false");
        }
    }

    @Test
    void valuesEveryReaderReadsAsFalsePassARuleDenyingTrue() {
        CompiledPolicy policy = rule("t", "eq: true", "deny", "allow");
        for (String x : List.of("0", "0.0", "-0.0", "\"\"", "null", "false")) {
            assertAllowed(call(policy, x), x);
        }
        assertAllowed(policy.evaluate(toolCall("t", "{}")), "absent");
    }

    @Test
    void pythonAndLaxReadingsToo() {
        CompiledPolicy deniesFalse = rule("t", "eq: false", "deny", "allow");
        // [] and {} are true to JavaScript, false to Python's bool(); "false" and "off" are false to a lax boolean field.
        for (String x : List.of("[]", "{}", "\"false\"", "\"off\"", "0", "\"\"", "null")) {
            assertDisagree(call(deniesFalse, x), x);
        }
        assertAllowed(call(deniesFalse, "[1]"), "[1]");
        assertAllowed(call(deniesFalse, "\"yes\""), "yes");
    }

    @Test
    void anAllowListOfTrueDoesNotAllowWhatOnlyOneReadingAllows() {
        CompiledPolicy onlyDryRuns = rule("t", "eq: true", "allow", "deny");
        assertAllowed(call(onlyDryRuns, "true"), "true");
        assertDisagree(call(onlyDryRuns, "\"true\""), "\"true\"");
        assertDisagree(call(onlyDryRuns, "1"), "1");
        assertThat(call(onlyDryRuns, "false").isDenied()).isTrue();
        assertThat(call(onlyDryRuns, "0").isDenied()).isTrue();
    }

    @Test
    void agtConditionsReadTrueAsOneNotByTruthiness() {
        // AGT's True == 1: eq: true is a number test there (imported as in: [true, 1]); 2 is not 1, and passes.
        assertAllowed(call(agtRule("eq", "true"), "2"), "agt 2");
        assertAllowed(call(agtRule("eq", "true"), "\"false\""), "agt \"false\"");
        assertDisagree(call(agtRule("eq", "true"), "[1]"), "agt [1]");
        assertAllowed(call(rule("t", "in: [true, 1]", "deny", "allow"), "2"), "native in [true, 1] on 2");
        assertDisagree(call(rule("t", "in: [true]", "deny", "allow"), "2"), "native in [true] on 2");
    }
}
