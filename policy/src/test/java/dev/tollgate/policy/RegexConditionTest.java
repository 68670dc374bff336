package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.rules;
import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tollgate.policy.condition.LinearRegex;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code matches} runs in linear time (RE2/J) and scans at most {@link LinearRegex#MAX_REGEX_INPUT_CHARS}.
 * The timeouts below are not measurements: java.util.regex takes minutes or more on these inputs, RE2/J
 * well under a millisecond, so a bound of seconds only tells "hangs" from "does not".
 */
class RegexConditionTest {

    private static final Duration HANGS = Duration.ofSeconds(5);
    /** The attack: nested quantifiers that make a backtracking engine try every split of the digits. */
    private static final String CATASTROPHIC = "(\\\\d+)*\\\\.?(\\\\d+)*x";

    private static CompiledPolicy denyWhen(String condition) {
        return rules("allow", "  - name: r\n    condition: {" + condition + "}\n    action: deny\n    message: blocked\n");
    }

    private static String args(String key, String value) {
        return "{\"" + key + "\":\"" + value + "\"}";
    }

    @Test
    void catastrophicPatternOnThreeThousandDigitsAnswersAtOnce() {
        CompiledPolicy policy = denyWhen("arg: {path: /x, matches: \"" + CATASTROPHIC + "\"}");
        String digits = "1".repeat(3_000);

        Decision noX = assertTimeoutPreemptively(HANGS, () -> policy.evaluate(toolCall("t", args("x", digits))));
        Decision withX = assertTimeoutPreemptively(HANGS, () -> policy.evaluate(toolCall("t", args("x", digits + "x"))));

        assertThat(noX).isEqualTo(policy.defaultDecision());
        assertThat(withX.isDenied()).isTrue();
        assertThat(withX.failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(withX.message()).isEqualTo("blocked");
    }

    @Test
    void catastrophicPatternOnANumberArgumentAnswersAtOnce() {
        CompiledPolicy policy = denyWhen("arg: {path: /x, matches: \"" + CATASTROPHIC + "\"}");

        // 900 digits: Jackson refuses numbers over 1,000 digits; backtracking is already hopeless at a few dozen.
        Decision decision = assertTimeoutPreemptively(HANGS, () -> policy.evaluate(toolCall("t", "{\"x\":" + "7".repeat(900) + "}")));

        assertThat(decision).isEqualTo(policy.defaultDecision());
    }

    @Test
    void argumentOverTheScanLimitIsDeniedWithItsOwnDecision() {
        CompiledPolicy policy = rules("deny", "  - name: ok\n    condition: {arg: {path: /x, matches: \"^[0-9]+$\"}}\n    action: allow\n");
        String over = "1".repeat(LinearRegex.MAX_REGEX_INPUT_CHARS + 1);

        Decision decision = policy.evaluate(toolCall("t", args("x", over)));

        assertThat(decision.isDenied()).as("an allow rule that cannot be evaluated denies (fail closed)").isTrue();
        assertThat(decision.ruleName()).isEqualTo("ok");
        assertThat(decision.failure()).isEqualTo(Decision.Failure.REGEX_INPUT_TOO_LONG);
        assertThat(decision.message()).contains("16384").contains("regular expression may scan").contains("fail closed");
        assertThat(policy.evaluate(toolCall("t", args("x", over)))).as("preallocated").isSameAs(decision);
    }

    @Test
    void argumentExactlyAtTheScanLimitIsScanned() {
        CompiledPolicy policy = rules("deny", "  - name: ok\n    condition: {arg: {path: /x, matches: \"^[0-9]+$\"}}\n    action: allow\n");

        Decision decision = policy.evaluate(toolCall("t", args("x", "1".repeat(LinearRegex.MAX_REGEX_INPUT_CHARS))));

        assertThat(decision.isDenied()).isFalse();
        assertThat(decision.failure()).isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void explainNamesTheArgumentItsLengthAndTheLimit() {
        CompiledPolicy policy = denyWhen("arg: {path: /x, matches: \"rm\"}");
        PolicyRequest request = toolCall("t", args("x", "a".repeat(70_000)));

        Explanation explanation = policy.explain(request);

        assertThat(explanation.decision()).isSameAs(policy.evaluate(request));
        assertThat(explanation.trace()).singleElement().satisfies(t -> {
            assertThat(t.matched()).isTrue();
            assertThat(t.reason()).isEqualTo("argument at /x is 70000 characters, over the 16384 characters this regular expression"
                    + " may scan; denied (fail closed)");
        });
    }

    @Test
    void aLargerPatternScansFewerCharacters() {
        LinearRegex big = LinearRegex.compile(".{100}x");
        CompiledPolicy policy = denyWhen("arg: {path: /x, matches: \".{100}x\"}");

        assertThat(big.maxInputChars()).isEqualTo((int) (LinearRegex.MAX_REGEX_SCAN_STEPS / 103)).isLessThan(LinearRegex.MAX_REGEX_INPUT_CHARS);
        assertThat(policy.evaluate(toolCall("t", args("x", "a".repeat(big.maxInputChars())))).failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(policy.evaluate(toolCall("t", args("x", "a".repeat(big.maxInputChars() + 1)))).failure())
                .isEqualTo(Decision.Failure.REGEX_INPUT_TOO_LONG);
    }

    @Test
    void claimOverTheScanLimitIsDeniedWithTheSameFailure() {
        CompiledPolicy policy = denyWhen("claim: {name: region, matches: \"^eu$\"}");
        Identity identity = new Identity(null, "acme", "planner", "run-1", "user-7", null, null, List.of(),
                Map.of("region", "e".repeat(LinearRegex.MAX_REGEX_INPUT_CHARS + 1)));

        Decision decision = policy.evaluate(toolCall("t", "{}", identity));

        assertThat(decision.failure()).isEqualTo(Decision.Failure.REGEX_INPUT_TOO_LONG);
        assertThat(policy.explain(toolCall("t", "{}", identity)).trace().get(0).reason()).startsWith("claim region is 16385 characters");
    }

    @Test
    void aThrowingConditionStillGetsTheGenericFailClosedDecision() {
        CompiledPolicy policy = denyWhen("arg: {path: /x, matches: \"a\"}");

        Decision decision = policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "t", PolicyFixtures.json(args("x", "a"))),
                PolicyFixtures.ACME, PolicyFixtures.MONDAY_10_UTC));

        assertThat(decision.failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(policy.rules().get(0).errorDecision().failure()).isEqualTo(Decision.Failure.CONDITION_ERROR);
    }

    static Stream<Arguments> semantics() {
        return Stream.of(
                Arguments.of("finds anywhere", "rm\\\\s+-rf", "sudo rm -rf /", true),
                Arguments.of("^ anchors the start", "^rm", "sudo rm", false),
                Arguments.of("$ anchors the end", "rf$", "rm -rf", true),
                Arguments.of("$ matches before one final newline, as in Java and Python (a deny rule cannot be dodged with \\n)", "^rm -rf /$", "rm -rf /\\n", true),
                Arguments.of("$ matches before a final CRLF", "^rm$", "rm\\r\\n", true),
                // fixAW (review CD): "rm\n\n" itself is denied: a reader that trims it runs "rm", which ^rm$ matches.
                Arguments.of("a value trimmed matches an anchored pattern: denied", "^rm$", "rm\\n\\n", true),
                Arguments.of("$ does not match before an inner newline", "^rm$", "rm\\nx", false),
                Arguments.of("(?i) ignores case", "(?i)drop\\\\s+table", "DROP Table users", true),
                Arguments.of("case matters without (?i)", "drop", "DROP", false),
                Arguments.of("\\\\b word boundary", "\\\\brm\\\\b", "farm", false),
                Arguments.of("\\\\d and counted repetition", "^\\\\d{3}-\\\\d{4}$", "555-1234", true),
                Arguments.of("alternation", "^(get|list)_", "list_files", true),
                Arguments.of("character class", "[;&|]", "ls; rm x", true),
                Arguments.of("(?s) lets . cross lines", "(?s)a.b", "a\\nb", true),
                Arguments.of(". does not cross lines by default", "a.b", "a\\nb", false),
                Arguments.of("(?m) multi-line anchors", "(?m)^rm", "ls\\nrm x", true),
                Arguments.of("unicode", "^caf\\u00e9$", "caf\\u00e9", true),
                Arguments.of("empty value", "^$", "", true));
    }

    @Test
    void dollarDoesNotMatchBeforeTwoFinalNewlines() {
        // The regex itself; the policy denies "rm\n\n" all the same, on its trimmed reading (see semantics()).
        assertThat(LinearRegex.compile("^rm$").find("rm\n\n")).isFalse();
        assertThat(LinearRegex.compile("^rm$").find("rm\n")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("semantics")
    void keepsRegularExpressionSemantics(String name, String regex, String jsonValue, boolean fires) {
        CompiledPolicy policy = denyWhen("arg: {path: /x, matches: \"" + regex + "\"}");

        assertThat(policy.evaluate(toolCall("t", args("x", jsonValue))).isDenied()).as(name).isEqualTo(fires);
    }

    @Test
    void anEvaluationLeavesNoArgumentTextHeldOnItsThread() {
        CompiledPolicy policy = denyWhen("arg: {path: /x, matches: \"^forbidden-[a-z]+$\"}");
        String secret = "Customer-Secret-Text";

        Decision call = policy.evaluate(toolCall("t", args("x", secret)));
        String heldAfterCall = dev.tollgate.policy.condition.LiteralCheck.lastFoldedSource();
        policy.evaluateResultAll(toolCall("t", args("x", secret)));
        String heldAfterResult = dev.tollgate.policy.condition.LiteralCheck.lastFoldedSource();
        policy.explain(toolCall("t", args("x", secret)));

        assertThat(call).isEqualTo(policy.defaultDecision());
        assertThat(heldAfterCall).as("the literal check's fold cache is emptied when the evaluation ends").isNull();
        assertThat(heldAfterResult).isNull();
        assertThat(dev.tollgate.policy.condition.LiteralCheck.lastFoldedSource()).isNull();
    }
}
