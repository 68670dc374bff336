package dev.tollgate.policy.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallFacts;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The budget and rate_limit checks: their arguments, what they ask the facts, and fail-closed evaluation. */
class BudgetAndRateLimitChecksTest {

    private static final Identity ACME = new Identity(null, "acme", "planner", "run-1", "user-1", null, "tree-1", List.of(), null);

    private static CompiledPolicy policy(String rules) {
        try {
            return PolicyLoader.parse("name: p\ndefaults: {action: allow}\nrules:\n" + rules, "p.yaml", CheckRegistry.withDefaults());
        } catch (PolicyException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Facts with a given spend that remember what was asked. */
    private static final class RecordingFacts implements CallFacts {
        final long spent;
        final List<String> asked = new ArrayList<>();
        boolean bucketEmpty;

        RecordingFacts(long spent) {
            this.spent = spent;
        }

        @Override
        public boolean overBudget(String rule, long limitMicros) {
            asked.add("budget " + rule + " " + limitMicros);
            return spent >= limitMicros;
        }

        @Override
        public boolean rateLimited(String rule, String key, double perSecond, long burst) {
            asked.add("rate " + key + " " + perSecond + " " + burst);
            return bucketEmpty;
        }

        @Override
        public boolean rateLimited(String rule, String owner, String key, double perSecond, long burst) {
            asked.add("owner " + owner);
            return rateLimited(rule, key, perSecond, burst);
        }
    }

    private static Decision decide(CompiledPolicy policy, String tool, CallFacts facts) {
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", tool, null), ACME, Instant.now(), facts));
    }

    @Test
    void budgetAsksTheFactsWithTheRuleAndTheLimitInMicroDollars() {
        CompiledPolicy p = policy("  - {name: cap, condition: {check: {name: budget, args: {limit_usd: 10.5}}}, action: deny}\n");
        RecordingFacts under = new RecordingFacts(1);
        RecordingFacts over = new RecordingFacts(10_500_000);

        assertThat(decide(p, "x", under).action()).isEqualTo(Action.ALLOW);
        assertThat(under.asked).containsExactly("budget cap 10500000");
        assertThat(decide(p, "x", over).ruleName()).isEqualTo("cap");
        assertThat(p.usesCheck(BudgetCheck.NAME)).isTrue();
        assertThat(p.usesCheck(RateLimitCheck.NAME)).isFalse();
    }

    @Test
    void withoutFactsABudgetRuleDeniesFailClosed() {
        CompiledPolicy p = policy("  - {name: cap, condition: {check: {name: budget, args: {limit_usd: 1}}}, action: deny}\n");

        Decision decision = p.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "x", null), ACME, Instant.now()));

        assertThat(decision.action()).isEqualTo(Action.DENY);
        assertThat(decision.ruleName()).isEqualTo("cap");
    }

    @Test
    void rateLimitKeysTheBucketByRuleAndTheChosenFields() {
        CompiledPolicy p = policy("  - {name: slow, condition: {check: {name: rate_limit, args: {rate: 30, period: 1m, per: [tenant, tool]}}}, action: deny}\n");
        RecordingFacts facts = new RecordingFacts(0);

        assertThat(decide(p, "search", facts).action()).isEqualTo(Action.ALLOW);
        facts.bucketEmpty = true;
        assertThat(decide(p, "search", facts).ruleName()).isEqualTo("slow");

        // The owner is the caller as the gateway knows it (ACME's tenant, agent and sub-user), whatever the rule is keyed by.
        assertThat(facts.asked).containsOnly("owner p|slow|0|axid:" + ACME.tenant() + "/" + ACME.agent() + "/" + ACME.subUser(), "rate p|slow|0|acme|search 0.5 30");
    }

    @Test
    void aToolNameTheCallerMadeLongKeysAsItsDigest() {
        CompiledPolicy p = policy("  - {name: slow, condition: {check: {name: rate_limit, args: {rate: 30, period: 1m, per: [tool, tenant]}}}, action: deny}\n");
        RecordingFacts facts = new RecordingFacts(0);
        String longName = "t".repeat(1 << 20);

        String posingAsADigest = "sha256:" + sha256Hex(longName);
        decide(p, longName, facts);
        decide(p, "t".repeat(128), facts);
        decide(p, posingAsADigest, facts);

        String owner = "owner p|slow|0|axid:" + ACME.tenant() + "/" + ACME.agent() + "/" + ACME.subUser();
        assertThat(facts.asked).containsExactly(owner, "rate p|slow|0|sha256:" + sha256Hex(longName) + "|acme 0.5 30",
                owner, "rate p|slow|0|" + "t".repeat(128) + "|acme 0.5 30",
                owner, "rate p|slow|0|sha256:" + sha256Hex(posingAsADigest) + "|acme 0.5 30");
    }

    @Test
    void aRuleKeyedOnlyByWhatTheCallNamesIsOwnedByEachCaller() {
        CompiledPolicy p = policy("  - {name: slow, condition: {check: {name: rate_limit, args: {rate: 30, period: 1m, per: [tool]}}}, action: deny}\n");
        RecordingFacts facts = new RecordingFacts(0);
        Identity oauthCaller = new Identity(null, null, null, null, null, null, null, List.of(), Map.of("oauth_sub", "alice", "client_id", "app"));
        Identity anonymous = Identity.ANONYMOUS;

        p.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "search", null), oauthCaller, Instant.now(), facts));
        p.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "search", null), anonymous, Instant.now(), facts));

        assertThat(facts.asked).containsExactly("owner p|slow|0|oauth:-/app/alice", "rate p|slow|0|search 0.5 30",
                "owner p|slow|0|anonymous", "rate p|slow|0|search 0.5 30");
    }

    @Test
    void identitiesWhoseValuesJoinAlikeKeepBucketsApart() {
        CompiledPolicy p = policy("  - {name: slow, condition: {check: {name: rate_limit, args: {rate: 30, period: 1m, per: [tenant, agent]}}}, action: deny}\n");
        RecordingFacts facts = new RecordingFacts(0);

        for (Identity caller : List.of(axid("acme|ops", "planner"), axid("acme", "ops|planner"), axid("acme", "-"), axid("acme", null))) {
            p.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "search", null), caller, Instant.now(), facts));
        }

        assertThat(facts.asked).filteredOn(asked -> asked.startsWith("rate ")).containsExactly("rate p|slow|0|acme%7Cops|planner 0.5 30",
                "rate p|slow|0|acme|ops%7Cplanner 0.5 30", "rate p|slow|0|acme|%2D 0.5 30", "rate p|slow|0|acme|- 0.5 30");
    }

    /** Review revJ: two checks of one rule, and same-named rules of two policies, keep buckets of their own. */
    @Test
    void eachCheckOfEachRuleOfEachPolicyHasItsOwnBuckets() throws Exception {
        CompiledPolicy p = policy("  - {name: slow, condition: {any: [{check: {name: rate_limit, args: {rate: 10, period: 1s}}},"
                + " {check: {name: rate_limit, args: {rate: 3, period: 1h}}}]}, action: deny}\n");
        CompiledPolicy other = PolicyLoader.parse("name: other\nrules:\n  - {name: slow, condition: {check: {name: rate_limit,"
                + " args: {rate: 3, period: 1h}}}, action: deny}\n", "other.yaml", CheckRegistry.withDefaults());
        RecordingFacts facts = new RecordingFacts(0);

        p.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "search", null), ACME, Instant.now(), facts));
        other.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "search", null), ACME, Instant.now(), facts));

        assertThat(facts.asked).filteredOn(asked -> asked.startsWith("rate "))
                .containsExactly("rate p|slow|0 10.0 10", "rate p|slow|1 8.333333333333334E-4 3", "rate other|slow|0 8.333333333333334E-4 3");
    }

    private static Identity axid(String tenant, String agent) {
        return new Identity(null, tenant, agent, "run-1", null, null, null, List.of(), Map.of());
    }

    private static String sha256Hex(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badArgumentsAreLoadErrorsNamingTheArgument() {
        assertThatThrownBy(() -> PolicyLoader.parse("name: p\nrules:\n  - {name: a, condition: {check: {name: budget, args: {limit_usd: -1}}}, action: deny}\n",
                "p.yaml", CheckRegistry.withDefaults())).isInstanceOf(PolicyException.class).hasMessageContaining("limit_usd");
        assertThatThrownBy(() -> PolicyLoader.parse("name: p\nrules:\n  - {name: a, condition: {check: {name: budget, args: {limit_usd: 1, extra: 2}}}, action: deny}\n",
                "p.yaml", CheckRegistry.withDefaults())).isInstanceOf(PolicyException.class).hasMessageContaining("only limit_usd");
        assertThatThrownBy(() -> PolicyLoader.parse("name: p\nrules:\n  - {name: a, condition: {check: {name: rate_limit, args: {rate: 1, per: [colour]}}}, action: deny}\n",
                "p.yaml", CheckRegistry.withDefaults())).isInstanceOf(PolicyException.class).hasMessageContaining("cannot key by 'colour'");
        assertThatThrownBy(() -> PolicyLoader.parse("name: p\nrules:\n  - {name: a, condition: {check: {name: rate_limit, args: {rate: 1, period: soon}}}, action: deny}\n",
                "p.yaml", CheckRegistry.withDefaults())).isInstanceOf(PolicyException.class).hasMessageContaining("period");
        assertThatThrownBy(() -> PolicyLoader.parse("name: p\nrules:\n  - {name: a, condition: {check: {name: rate_limit, args: {rate: 0}}}, action: deny}\n",
                "p.yaml", CheckRegistry.withDefaults())).isInstanceOf(PolicyException.class).hasMessageContaining("rate");
    }
}
