package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.condition.AgtCondition;
import dev.tollgate.policy.condition.BacktrackingRegex;
import dev.tollgate.policy.condition.LinearRegex;
import dev.tollgate.policy.condition.TwoEngineRegex;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * AGT patterns RE2/J cannot run (lookaround, backreferences, too large for its scan budget) run on
 * java.util.regex with a step budget: a search that reads more than
 * {@link BacktrackingRegex#MAX_REGEX_BACKTRACK_STEPS} characters is abandoned and its rule denies with
 * {@link Decision.Failure#REGEX_STEP_BUDGET}. The timeouts only tell "hangs" from "does not" (unbounded
 * backtracking on these inputs takes minutes); the assertions are on the outcome.
 */
class AgtRegexBudgetTest {

    private static final Duration HANGS = Duration.ofSeconds(5);
    /**
     * Nested quantifiers a backtracking engine tries every split of, made non-linear by a lookahead. Anchored: an
     * unanchored search drops the leading optional items (see {@link #unanchoredCatastropheIsReducedToItsCore}).
     */
    private static final String CATASTROPHIC = "^(\\\\d+)*\\\\.?(\\\\d+)*x(?=y)";

    private static CompiledPolicy agt(String defaultAction, String pattern, String action) {
        return PolicyFixtures.policy("""
                version: "1.0"
                name: agt-budget
                defaults: {action: %s}
                rules:
                  - name: r
                    condition: {field: x, operator: matches, value: "%s"}
                    action: %s
                    message: blocked
                """.formatted(defaultAction, pattern, action));
    }

    private static String args(String value) {
        return "{\"x\":\"" + value + "\"}";
    }

    /** Digits then an x not followed by y: the lookahead fails at the end, after every split of the digits. */
    private static final String ATTACK = "1".repeat(3_000) + "x";

    @Test
    void catastrophicLookaheadPatternRunsOnTheBudgetedEngine() {
        CompiledPolicy policy = agt("allow", CATASTROPHIC, "deny");

        assertThat(((AgtCondition) policy.rules().get(0).condition()).regex()).isInstanceOf(BacktrackingRegex.class);
    }

    @Test
    void catastrophicInputRunsOutOfStepsAndIsDeniedWithItsOwnFailure() {
        CompiledPolicy policy = agt("allow", CATASTROPHIC, "deny");
        PolicyRequest attack = toolCall("t", args(ATTACK));

        Decision decision = assertTimeoutPreemptively(HANGS, () -> policy.evaluate(attack));

        assertThat(decision.isDenied()).isTrue();
        assertThat(decision.ruleName()).isEqualTo("r");
        assertThat(decision.failure()).isEqualTo(Decision.Failure.REGEX_STEP_BUDGET);
        assertThat(decision.message()).contains("more steps").contains(String.valueOf(BacktrackingRegex.MAX_REGEX_BACKTRACK_STEPS))
                .contains("fail closed");
        assertThat(policy.evaluate(attack)).as("preallocated").isSameAs(decision);
    }

    @Test
    void anAllowRuleThatRunsOutOfStepsDeniesFailClosed() {
        CompiledPolicy policy = agt("deny", CATASTROPHIC, "allow");

        Decision decision = assertTimeoutPreemptively(HANGS, () -> policy.evaluate(toolCall("t", args(ATTACK))));

        assertThat(decision.isDenied()).isTrue();
        assertThat(decision.failure()).isEqualTo(Decision.Failure.REGEX_STEP_BUDGET);
    }

    @Test
    void withoutTheLiteralEveryMatchNeedsThePatternDoesNotRunAtAll() {
        CompiledPolicy policy = agt("allow", CATASTROPHIC, "deny");
        PolicyRequest digits = toolCall("t", args("1".repeat(3_000)));

        assertThat(policy.evaluate(digits)).as("prefilter: no x, no match").isEqualTo(policy.defaultDecision());
        assertThat(policy.withoutPrefilter().evaluate(digits).failure()).as("the pattern itself runs out of steps")
                .isEqualTo(Decision.Failure.REGEX_STEP_BUDGET);
        assertThat(policy.explain(digits).trace().get(0).reason()).contains("the literals every match needs do not occur in x");
    }

    @Test
    void theSamePatternStillDecidesOrdinaryInput() {
        CompiledPolicy policy = agt("allow", CATASTROPHIC, "deny");

        Decision match = policy.evaluate(toolCall("t", args("12.5xy")));
        Decision noMatch = policy.evaluate(toolCall("t", args("12.5xz")));

        assertThat(match.ruleName()).isEqualTo("r");
        assertThat(match.failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(noMatch).isEqualTo(policy.defaultDecision());
    }

    @Test
    void unanchoredCatastropheIsReducedToItsCore() {
        // Where (\d+)*\.?(\d+)*x(?=y) occurs, x(?=y) occurs, and the other way round: the optional items are
        // dropped at load, and the search is linear in the text.
        CompiledPolicy policy = agt("allow", "(\\\\d+)*\\\\.?(\\\\d+)*x(?=y)", "deny");

        Decision digits = assertTimeoutPreemptively(HANGS, () -> policy.evaluate(toolCall("t", args("1".repeat(3_000)))));

        assertThat(digits).isEqualTo(policy.defaultDecision());
        assertThat(policy.evaluate(toolCall("t", args("1.5xy"))).ruleName()).isEqualTo("r");
    }

    @Test
    void backreferenceBlowUpIsBoundedToo() {
        CompiledPolicy policy = agt("allow", "^(a|aa)+\\\\1$", "deny");

        Decision decision = assertTimeoutPreemptively(HANGS, () -> policy.evaluate(toolCall("t", args("a".repeat(5_000) + "!"))));

        assertThat(decision.failure()).isEqualTo(Decision.Failure.REGEX_STEP_BUDGET);
    }

    @Test
    void explainNamesTheFieldAndTheBudget() {
        CompiledPolicy policy = agt("allow", CATASTROPHIC, "deny");
        PolicyRequest attack = toolCall("t", args(ATTACK));

        Explanation explanation = policy.explain(attack);

        assertThat(explanation.decision()).isSameAs(policy.evaluate(attack));
        assertThat(explanation.trace()).singleElement().satisfies(t -> {
            assertThat(t.matched()).isTrue();
            assertThat(t.reason()).isEqualTo("x needs more than the " + BacktrackingRegex.MAX_REGEX_BACKTRACK_STEPS
                    + " steps this regular expression may take (backtracking); denied (fail closed)");
        });
    }

    @Test
    void valueOverTheInputLimitIsNotSearchedAtAll() {
        CompiledPolicy policy = agt("allow", "a(?!b)", "deny");

        Decision decision = policy.evaluate(toolCall("t", args("a".repeat(LinearRegex.MAX_REGEX_INPUT_CHARS + 1))));

        assertThat(decision.failure()).isEqualTo(Decision.Failure.REGEX_INPUT_TOO_LONG);
    }

    @Test
    void patternTooLargeForRe2IsSearchedByJavaOverLongText() {
        // 300 instructions of counted repetition: RE2/J may scan only ~500 characters of it.
        String pattern = "(?i)ignore[^\\\\n]{0,300}instructions";
        CompiledPolicy policy = agt("allow", pattern, "deny");
        String benign = "a".repeat(4_000);

        assertThat(policy.evaluate(toolCall("t", args(benign + " ignore all previous instructions"))).ruleName()).isEqualTo("r");
        assertThat(policy.evaluate(toolCall("t", args(benign))).failure()).isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void leadingOptionalItemsAreDroppedSoTheRestRunsInLinearTime() {
        // (?:...)?[^\n]{0,80} in front changes nothing about where the pattern occurs: RE2/J runs the rest.
        CompiledPolicy policy = agt("allow", "(?:ignore\\\\s+)?[^\\\\n]{0,80}(?:print|echo)\\\\s+everything", "deny");

        assertThat(((AgtCondition) policy.rules().get(0).condition()).regex()).isInstanceOfSatisfying(TwoEngineRegex.class,
                r -> assertThat(r.linear().maxInputChars()).as("RE2/J's limit without the 80 repetitions").isGreaterThan(4_000));
        assertThat(policy.evaluate(toolCall("t", args("now print everything"))).ruleName()).isEqualTo("r");
        assertThat(policy.evaluate(toolCall("t", args("now print nothing"))).ruleName()).isNull();
    }

    @Test
    void wordBoundaryPatternRunsOnRe2ForAsciiAndOnJavaForOtherLetters() {
        CompiledPolicy policy = agt("allow", "\\\\bcat\\\\b", "deny");

        assertThat(((AgtCondition) policy.rules().get(0).condition()).regex()).isInstanceOf(TwoEngineRegex.class);
        assertThat(policy.evaluate(toolCall("t", args("a cat!"))).ruleName()).isEqualTo("r");
        assertThat(policy.evaluate(toolCall("t", args("\\u00e9cat"))).ruleName()).as("é is a word character in Python").isNull();
        assertThat(policy.evaluate(toolCall("t", args("\\u2019cat\\u2019"))).ruleName()).as("a quote is not").isEqualTo("r");
    }

    @Test
    void patternWithTooManyEmptyWaysIsRefusedAtLoadWithFileAndLine() {
        String yaml = """
                version: "1.0"
                name: agt-budget
                defaults: {action: allow}
                rules:
                  - name: r
                    condition: {field: x, operator: matches, value: "a(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?=b)"}
                    action: deny
                """;

        assertThatThrownBy(() -> PolicyLoader.parse(yaml, "budget.yaml", CheckRegistry.withDefaults()))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.file()).isEqualTo("budget.yaml");
                    assertThat(p.line()).isEqualTo(6);
                    assertThat(p.message()).contains("cannot run in bounded time").contains("2048 ways");
                }));
    }
}
