package dev.tollgate.policy.prefilter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.condition.AgtCondition;
import dev.tollgate.policy.condition.Condition;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A rule is a candidate whenever its query can hold: its triggers are literals one of which every text that
 * satisfies the query contains, so marking candidates from the literals found never rules out a rule the query
 * would have let run.
 */
class TriggerIndexTest {

    private static final String[] LITERALS = {"a", "bc", "drop", "table", "x", "$(", "you", "will", "\u4e2d\u6587"};
    private static final int NON_ASCII = LITERALS.length;

    @Test
    void everyQueryThatHoldsHasATriggerFound() {
        SplittableRandom random = new SplittableRandom(7);
        int held = 0;
        for (int round = 0; round < 20_000; round++) {
            LiteralPrefilter.Query query = randomQuery(random, 3);
            long[] found = {random.nextLong() & random.nextLong() & ((1L << (NON_ASCII + 1)) - 1)};
            int[] triggers = TriggerIndex.triggers(query, LITERALS);
            if (query.holds(found)) {
                held++;
                assertThat(Arrays.stream(triggers).anyMatch(id -> (found[0] & (1L << id)) != 0))
                        .as("%s holds on %s but none of its triggers %s was found", query, Long.toBinaryString(found[0]),
                                Arrays.toString(triggers)).isTrue();
            }
        }
        assertThat(held).as("the property is exercised").isGreaterThan(2_000);
    }

    @Test
    void anAndIsIndexedUnderItsRarestConjunct() {
        LiteralPrefilter.Query query = new LiteralPrefilter.And(new LiteralPrefilter.Query[] {
                new LiteralPrefilter.AnyOf(new int[] {0}), new LiteralPrefilter.AnyOf(new int[] {2, 3}), new LiteralPrefilter.AnyOf(new int[] {1})});
        assertThat(TriggerIndex.triggers(query, LITERALS)).containsExactly(2, 3);
    }

    @Test
    void anOrIsIndexedUnderEveryBranch() {
        LiteralPrefilter.Query query = new LiteralPrefilter.Or(new LiteralPrefilter.Query[] {
                new LiteralPrefilter.AnyOf(new int[] {4}), new LiteralPrefilter.NonAscii(NON_ASCII)});
        assertThat(TriggerIndex.triggers(query, LITERALS)).containsExactly(4, NON_ASCII);
    }

    @Test
    void rulesWhosePatternMatchesAreNotRuledOut() {
        Condition[] rules = {
                matches("user_input", "(?i)drop\\s+table"),
                matches("user_input", "(?i)\\bkill\\s+all"),
                matches("user_input", "(foo|bar)baz"),
                matches("user_input", "[\\u2800-\\u28FF]{3}"),
                matches("tool_response", "(?i)stra\u00dfe"),
                matches("user_input", "(?i)you\\s+will\\s+be|become"),
        };
        LiteralPrefilter prefilter = LiteralPrefilter.of(rules);
        // Case, the Kelvin sign for K, a non-breaking space for \s, either branch of an alternation, non-ASCII.
        assertCandidate(prefilter, rules, 0, "user_input", "please DROP\u00a0Table users");
        assertCandidate(prefilter, rules, 1, "user_input", "\u212aILL \t all the processes");
        assertCandidate(prefilter, rules, 2, "user_input", "a barbaz here");
        assertCandidate(prefilter, rules, 3, "user_input", "braille \u2801\u2802\u2803");
        assertCandidate(prefilter, rules, 4, "tool_response", "STRA\u00dfE 5");
        assertCandidate(prefilter, rules, 5, "user_input", "YOU  WILL BE");
        assertCandidate(prefilter, rules, 5, "user_input", "they BECOME");

        PolicyRequest benign = request("user_input", "the quarterly report shows steady growth in the northern region");
        LiteralPrefilter.Scan scan = prefilter.start(benign);
        for (int rule = 0; rule < rules.length; rule++) {
            assertThat(scan.rulesOut(rule)).as("rule %d on benign text", rule).isTrue();
        }
    }

    private static void assertCandidate(LiteralPrefilter prefilter, Condition[] rules, int rule, String field, String text) {
        PolicyRequest request = request(field, text);
        assertThat(rules[rule].matches(request)).as("the pattern itself matches %s", text).isTrue();
        assertThat(prefilter.start(request).rulesOut(rule)).as("rule %d on %s", rule, text).isFalse();
    }

    private static Condition matches(String field, String pattern) {
        return AgtCondition.compile(field, "matches", TextNode.valueOf(pattern));
    }

    private static PolicyRequest request(String field, String text) {
        ObjectNode args = JsonNodeFactory.instance.objectNode().put(field, text);
        return new PolicyRequest(CallDescription.mcpToolCall("r", "t", args),
                new Identity(null, "acme", "a", "r", "u", null, null, List.of(), Map.of()), Instant.parse("2026-11-23T10:00:00Z"));
    }

    private static LiteralPrefilter.Query randomQuery(SplittableRandom random, int depth) {
        int kind = depth == 0 ? random.nextInt(2) : random.nextInt(4);
        return switch (kind) {
            case 0 -> new LiteralPrefilter.AnyOf(random.ints(1 + random.nextInt(3), 0, NON_ASCII).distinct().sorted().toArray());
            case 1 -> new LiteralPrefilter.NonAscii(NON_ASCII);
            case 2 -> new LiteralPrefilter.And(children(random, depth));
            default -> new LiteralPrefilter.Or(children(random, depth));
        };
    }

    private static LiteralPrefilter.Query[] children(SplittableRandom random, int depth) {
        LiteralPrefilter.Query[] children = new LiteralPrefilter.Query[2 + random.nextInt(3)];
        for (int k = 0; k < children.length; k++) {
            children[k] = randomQuery(random, depth - 1);
        }
        return children;
    }
}
