package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A call whose tool the gateway does not know ({@link CallFacts#toolUnknown}: an A2A send declaring no skill, or a label
 * its route neither prices nor pins) meets every metering deny rule as if it were the rule's tool, and keys per-tool
 * rate limits as one bucket; other rules read the label as it is.
 */
class UnknownToolMeteringTest {

    private static final Identity ACME = new Identity(null, "acme", "planner", "run-1", "user-1", null, "tree-1", List.of(), null);

    private static final CompiledPolicy POLICY = PolicyFixtures.policy("""
            name: p
            defaults: {action: allow}
            rules:
              - name: research-budget
                condition: {all: [{tool: research}, {check: {name: budget, args: {limit_usd: 1}}}]}
                action: deny
              - name: all-but-chat-budget
                condition: {all: [{not: {tool: chat}}, {check: {name: budget, args: {limit_usd: 5}}}]}
                action: deny
              - name: no-admin
                condition: {tool: "admin*"}
                action: deny
              - name: research-audited-when-slow
                condition: {all: [{tool: research}, {check: {name: rate_limit, args: {rate: 1, period: 1m}}}]}
                action: audit
            """);

    /** Facts that note the budget limits and rate buckets asked about; every budget is over, every bucket empty. */
    private static final class Facts implements CallFacts {
        final boolean unknown;
        final boolean over;
        final List<String> asked = new ArrayList<>();

        Facts(boolean unknown, boolean over) {
            this.unknown = unknown;
            this.over = over;
        }

        @Override
        public boolean overBudget(String rule, long limitMicros) {
            asked.add(rule);
            return over;
        }

        @Override
        public boolean rateLimited(String rule, String key, double perSecond, long burst) {
            asked.add(key);
            return true;
        }

        @Override
        public boolean toolUnknown() {
            return unknown;
        }
    }

    private static Decision send(String skill, Facts facts) {
        return POLICY.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", skill, null), ACME, Instant.now(), facts));
    }

    @Test
    void anUnknownSkillMeetsTheBudgetOfTheSkillItMayBe() {
        assertThat(send(null, new Facts(true, true)).ruleName()).isEqualTo("research-budget");
        assertThat(send("made-up", new Facts(true, true)).ruleName()).isEqualTo("research-budget");
        // Known, the label decides: a declared chat send is in neither budget.
        assertThat(send("chat", new Facts(false, true)).action()).isEqualTo(Action.ALLOW);
        assertThat(send(null, new Facts(false, true)).ruleName()).isEqualTo("all-but-chat-budget");
    }

    @Test
    void underANotItIsReadAsNotTheExcludedSkill() {
        // "chat" unknown (not priced, not pinned) could be anything: the budget of everything but chat covers it.
        Facts facts = new Facts(true, false);
        assertThat(send("chat", facts).action()).isEqualTo(Action.ALLOW);
        assertThat(facts.asked).containsExactly("research-budget", "all-but-chat-budget");
    }

    @Test
    void rulesThatDoNotMeterReadTheLabelAsItIs() {
        // A deny rule with no budget or rate check is not widened: an unlabelled send is not an admin send.
        assertThat(send(null, new Facts(true, false)).action()).isEqualTo(Action.ALLOW);
        assertThat(send("admin-reset", new Facts(true, false)).ruleName()).isEqualTo("no-admin");
    }

    @Test
    void onlyDenyRulesAreWidened() {
        // An audit rule matching sooner would decide before a deny rule further down: it keeps its tool.
        Facts facts = new Facts(true, false);
        send("made-up", facts);
        assertThat(facts.asked).noneMatch(asked -> asked.contains("research-audited-when-slow"));
    }

    @Test
    void aRateLimitedDenyRuleScopedToASkillCoversAnUnknownOne() {
        CompiledPolicy policy = PolicyFixtures.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: research-rate
                    condition: {all: [{tool: research}, {check: {name: rate_limit, args: {rate: 1, period: 1m, per: [tenant, tool]}}}]}
                    action: deny
                """);
        Facts unknown = new Facts(true, false);
        Facts other = new Facts(false, false);

        Decision decision = policy.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", "research-9", null), ACME,
                Instant.now(), unknown));
        policy.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", "chat", null), ACME, Instant.now(), other));

        assertThat(decision.ruleName()).as("every bucket is empty in these facts").isEqualTo("research-rate");
        assertThat(unknown.asked).containsExactly("p|research-rate|0|acme|-");
        assertThat(other.asked).as("a known other skill is outside the rule").isEmpty();
    }

    @Test
    void explainReadsAnUnknownSkillAsEvaluateDoes() {
        Explanation explanation = POLICY.explain(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", null, null), ACME, Instant.now(),
                new Facts(true, true)));
        assertThat(explanation.decision().ruleName()).isEqualTo("research-budget");
    }

    @Test
    void aPerToolRateLimitKeysUnknownSkillsAsOneBucket() {
        CompiledPolicy policy = PolicyFixtures.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: agent-rate
                    condition: {check: {name: rate_limit, args: {rate: 2, period: 1m, per: [tenant, tool]}}}
                    action: deny
                """);
        List<String> keys = new ArrayList<>();
        for (String skill : new String[] {"research-1", "research-2", null}) {
            Facts facts = new Facts(true, false);
            policy.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", skill, null), ACME, Instant.now(), facts));
            keys.addAll(facts.asked);
        }
        Facts known = new Facts(false, false);
        policy.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", "research", null), ACME, Instant.now(), known));

        assertThat(keys).containsExactly("p|agent-rate|0|acme|-", "p|agent-rate|0|acme|-", "p|agent-rate|0|acme|-");
        assertThat(known.asked).containsExactly("p|agent-rate|0|acme|research");
    }

    @Test
    void anAgtBudgetRuleNamingATool() throws Exception {
        // AGT's integration guide: {tool: synthesize_report, custom_check: waxell_budget_check}, a tool_name comparison
        // beside a budget check. An A2A send with an unknown skill could be that tool: it meets the rule.
        CompiledPolicy policy = PolicyLoader.parse("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: cost_guard_synthesis
                    condition: {tool: synthesize_report, custom_check: waxell_budget_check}
                    action: deny
                  - name: no-admin
                    condition: {field: tool_name, operator: matches, value: "^admin"}
                    action: deny
                """, "agt.yaml", dev.tollgate.policy.check.CheckRegistry.withDefaults().withBindings(java.util.Map.of("waxell_budget_check",
                new dev.tollgate.policy.check.CheckBinding("budget", PolicyFixtures.json("{\"limit_usd\": 10}")))));

        assertThat(policy.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", null, null), ACME, Instant.now(),
                new Facts(true, true))).ruleName()).isEqualTo("cost_guard_synthesis");
        assertThat(policy.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", "made-up", null), ACME, Instant.now(),
                new Facts(true, true))).ruleName()).isEqualTo("cost_guard_synthesis");
        // Known, the label decides; and a rule that meters nothing is not widened.
        assertThat(policy.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", "chat", null), ACME, Instant.now(),
                new Facts(false, true))).action()).isEqualTo(Action.ALLOW);
        assertThat(policy.evaluate(new PolicyRequest(CallDescription.a2a("agent", "SendMessage", "made-up", null), ACME, Instant.now(),
                new Facts(true, false))).action()).isEqualTo(Action.ALLOW);
    }
}
