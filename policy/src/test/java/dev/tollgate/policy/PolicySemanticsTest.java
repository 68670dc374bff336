package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.ACME;
import static dev.tollgate.policy.PolicyFixtures.policy;
import static dev.tollgate.policy.PolicyFixtures.rules;
import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.check.CompiledCheck;
import dev.tollgate.policy.check.PolicyCheck;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicySemanticsTest {

    @Test
    void higherPriorityRuleDecidesFirst() {
        CompiledPolicy p = rules("deny", """
                  - name: low-allow
                    priority: 1
                    condition: {tool: x}
                    action: allow
                  - name: high-deny
                    priority: 10
                    condition: {tool: x}
                    action: deny
                """);

        assertThat(p.evaluate(toolCall("x", "{}")).ruleName()).isEqualTo("high-deny");
    }

    @Test
    void onEqualPriorityTheEarlierRuleInTheFileWins() {
        CompiledPolicy p = rules("deny", """
                  - name: first
                    condition: {tool: "*"}
                    action: audit
                  - name: second
                    condition: {tool: x}
                    action: deny
                """);

        assertThat(p.evaluate(toolCall("x", "{}")).ruleName()).isEqualTo("first");
        assertThat(p.evaluate(toolCall("x", "{}")).action()).isEqualTo(Action.AUDIT);
    }

    @Test
    void noMatchingRuleMeansTheDocumentDefault() {
        CompiledPolicy allowByDefault = rules("allow", "  - name: r\n    condition: {tool: y}\n    action: deny\n");
        CompiledPolicy denyByDefault = rules("deny", "  - name: r\n    condition: {tool: y}\n    action: allow\n");

        assertThat(allowByDefault.evaluate(toolCall("x", "{}"))).satisfies(d -> {
            assertThat(d.action()).isEqualTo(Action.ALLOW);
            assertThat(d.ruleName()).isNull();
            assertThat(d.policyName()).isEqualTo("p");
        });
        assertThat(denyByDefault.evaluate(toolCall("x", "{}")).enforcedDeny()).isTrue();
    }

    @Test
    void missingDefaultsDeny() {
        assertThat(policy("name: p\nrules: []\n").evaluate(toolCall("x", "{}")).enforcedDeny()).isTrue();
    }

    @Test
    void aConditionThatFailsToEvaluateCountsAsAMatchingDeny() {
        CheckRegistry checks = CheckRegistry.withDefaults().register(new PolicyCheck() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public CompiledCheck compile(JsonNode args) {
                return request -> {
                    throw new IllegalStateException("boom");
                };
            }
        });
        CompiledPolicy p;
        try {
            p = PolicyLoader.parse("""
                    name: p
                    defaults: {action: allow}
                    rules:
                      - name: fragile-allow
                        condition: {check: {name: broken}}
                        action: allow
                    """, "t.yaml", checks);
        } catch (PolicyException e) {
            throw new AssertionError(e);
        }

        Decision d = p.evaluate(toolCall("x", "{}"));

        assertThat(d.enforcedDeny()).isTrue();
        assertThat(d.ruleName()).isEqualTo("fragile-allow");
        assertThat(d.message()).contains("fail closed");
        assertThat(p.explain(toolCall("x", "{}")).decision()).isEqualTo(d);
    }

    @Test
    void shadowModeRecordsTheDenyButAllowsTheCall() {
        CompiledPolicy p = policy("""
                name: trial
                mode: shadow
                defaults: {action: allow}
                rules:
                  - name: would-block
                    condition: {tool: x}
                    action: deny
                    message: not yet enforced
                """);

        Decision d = p.evaluate(toolCall("x", "{}"));

        assertThat(d.isDenied()).isTrue();
        assertThat(d.enforcedDeny()).isFalse();
        assertThat(d.allowsCall()).isTrue();
        assertThat(d.mode()).isEqualTo(Mode.SHADOW);
    }

    @Test
    void auditAllowsAndIsDistinguishable() {
        Decision d = rules("deny", "  - name: watch\n    condition: {tool: x}\n    action: audit\n").evaluate(toolCall("x", "{}"));

        assertThat(d.allowsCall()).isTrue();
        assertThat(d.action()).isEqualTo(Action.AUDIT);
    }

    @Test
    void decisionsAreSharedInstancesNotAllocatedPerCall() {
        CompiledPolicy p = rules("allow", "  - name: r\n    condition: {tool: x}\n    action: deny\n");

        assertThat(p.evaluate(toolCall("x", "{}"))).isSameAs(p.evaluate(toolCall("x", "{\"a\":1}")));
        assertThat(p.evaluate(toolCall("y", "{}"))).isSameAs(p.defaultDecision());
    }

    @Test
    void indexedEvaluationAgreesWithAFullScanOnRandomPolicies() {
        Random random = new Random(42);
        String[] tools = {"a", "b", "c", "shell_exec", "shell_ls", "read_file"};
        String[] conditions = {"{tool: a}", "{tool: b}", "{tool: \"shell_*\"}", "{tool: [a, c]}", "{all: [{tool: read_file}, {arg: {path: /p, eq: 1}}]}",
                "{arg: {path: /p, gt: 0}}", "{not: {tool: b}}", "{any: [{tool: c}, {claim: {name: tenant, eq: other}}]}", "{method: tools/call}"};
        String[] actions = {"allow", "deny", "audit"};
        for (int round = 0; round < 200; round++) {
            StringBuilder yaml = new StringBuilder();
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                yaml.append("  - name: r").append(i).append("\n    priority: ").append(random.nextInt(3))
                        .append("\n    condition: ").append(conditions[random.nextInt(conditions.length)])
                        .append("\n    action: ").append(actions[random.nextInt(actions.length)]).append('\n');
            }
            CompiledPolicy p = rules(random.nextBoolean() ? "allow" : "deny", yaml.toString());
            for (String tool : tools) {
                for (String args : List.of("{}", "{\"p\":1}")) {
                    PolicyRequest request = toolCall(tool, args);
                    assertThat(p.evaluate(request)).as("round %d tool %s args %s\n%s", round, tool, args, yaml).isEqualTo(fullScan(p, request));
                }
            }
        }
    }

    /** The reference semantics: every rule in priority order, no index. */
    private static Decision fullScan(CompiledPolicy p, PolicyRequest request) {
        for (CompiledRule rule : p.rules()) {
            if (rule.condition().matches(request)) {
                return rule.decision();
            }
        }
        return p.defaultDecision();
    }

    @Test
    void explainListsEveryRuleInOrderWithReasons() {
        CompiledPolicy p = rules("allow", """
                  - name: shell
                    priority: 100
                    condition: {tool: "shell_*"}
                    action: deny
                    message: no shells
                  - name: big-writes
                    priority: 50
                    condition: {all: [{tool: write_file}, {arg: {path: /size, gt: 1000}}]}
                    action: deny
                  - name: tenant-acme
                    priority: 10
                    condition: {claim: {name: tenant, eq: acme}}
                    action: audit
                  - name: after
                    condition: {tool: "*"}
                    action: allow
                """);

        Explanation e = p.explain(toolCall("write_file", "{\"size\":10}"));

        assertThat(e.trace()).extracting(RuleTrace::rule).containsExactly("shell", "big-writes", "tenant-acme", "after");
        assertThat(e.trace().get(0).reason()).isEqualTo("tool 'write_file' does not match 'shell_*'");
        assertThat(e.trace().get(1).reason()).contains("argument /size (10) fails gt 1000");
        assertThat(e.trace().get(2).matched()).isTrue();
        assertThat(e.trace().get(3).reason()).isEqualTo("not reached");
        assertThat(e.decision().ruleName()).isEqualTo("tenant-acme");
        assertThat(e.render()).contains("decision: AUDIT", "=> tenant-acme");
    }

    @Test
    void toolsThatCanNeverBeCalledAreHiddenOthersKept() {
        CompiledPolicy p = rules("allow", """
                  - name: shells-for-ops-only
                    priority: 100
                    condition: {all: [{tool: "shell_*"}, {not: {capability: ops}}]}
                    action: deny
                  - name: big-writes
                    priority: 50
                    condition: {all: [{tool: write_file}, {arg: {path: /size, gt: 1000}}]}
                    action: deny
                  - name: other-tenants
                    condition: {all: [{tool: secrets}, {not: {claim: {name: tenant, eq: acme}}}]}
                    action: deny
                """);
        Identity ops = new Identity(null, "acme", null, null, null, null, null, List.of("ops"), Map.of());
        Identity beta = new Identity(null, "beta", null, null, null, null, null, List.of(), Map.of());

        assertThat(p.mayEverCall("shell_exec", ACME)).isFalse();
        assertThat(p.mayEverCall("shell_exec", ops)).isTrue();
        assertThat(p.mayEverCall("write_file", ACME)).as("denied only for some arguments").isTrue();
        assertThat(p.mayEverCall("secrets", ACME)).isTrue();
        assertThat(p.mayEverCall("secrets", beta)).isFalse();
        assertThat(p.mayEverCall("anything_else", beta)).isTrue();
        assertThat(rules("deny", "  - name: a\n    condition: {all: [{tool: x}, {arg: {path: /ok, eq: true}}]}\n    action: allow\n")
                .mayEverCall("y", ACME)).as("default deny, no allowing rule").isFalse();
    }

    @Test
    void aHigherPriorityAllowThatMightMatchKeepsTheToolVisible() {
        CompiledPolicy p = rules("allow", """
                  - name: small-reads-ok
                    priority: 100
                    condition: {all: [{tool: read_file}, {arg: {path: /size, lt: 10}}]}
                    action: allow
                  - name: no-reads
                    priority: 10
                    condition: {tool: read_file}
                    action: deny
                  - name: time-bound-deny
                    condition: {all: [{tool: write_file}, {time: {after: "09:00", before: "17:00"}}]}
                    action: deny
                """);

        assertThat(p.mayEverCall("read_file", ACME)).as("the allow depends on arguments").isTrue();
        assertThat(p.mayEverCall("write_file", ACME)).as("the deny depends on the time").isTrue();
        assertThat(rules("allow", "  - name: no-reads\n    condition: {tool: read_file}\n    action: deny\n").mayEverCall("read_file", ACME)).isFalse();
    }

    @Test
    void shadowModeAndAuditRulesNeverHideATool() {
        CompiledPolicy shadow = policy("name: s\nmode: shadow\nrules:\n  - name: d\n    condition: {tool: x}\n    action: deny\n");
        CompiledPolicy audited = rules("deny", "  - name: a\n    condition: {tool: x}\n    action: audit\n");

        assertThat(shadow.mayEverCall("x", ACME)).isTrue();
        assertThat(audited.mayEverCall("x", ACME)).isTrue();
        assertThat(audited.mayEverCall("y", ACME)).as("default deny").isFalse();
    }

    @Test
    void aRegexThatOverflowsTheStackDeniesInsteadOfThrowing() {
        CompiledPolicy p = rules("allow", "  - name: alternation\n    condition: {arg: {path: /text, matches: \"^(a|b)*$\"}}\n    action: allow\n");
        String huge = "ab".repeat(200_000);

        Decision d = p.evaluate(toolCall("t", "{\"text\":\"" + huge + "\"}"));

        assertThat(d.enforcedDeny()).isTrue();
        assertThat(d.ruleName()).isEqualTo("alternation");
    }

    @Test
    void timeWindowsUseTheZoneAndTheDayThere() {
        CompiledPolicy p = rules("allow", """
                  - name: weekend-nights-tokyo
                    condition: {time: {after: "22:00", before: "06:00", zone: Asia/Tokyo, days: [sat]}}
                    action: deny
                """);
        // Friday 2026-11-27 16:30 UTC is Saturday 01:30 in Tokyo.
        assertThat(p.evaluate(at("2026-11-27T16:30:00Z")).isDenied()).as("Saturday 01:30 Tokyo, Friday in UTC").isTrue();
        assertThat(p.evaluate(at("2026-11-28T12:59:59.999Z")).isDenied()).as("Saturday 21:59:59.999 Tokyo").isFalse();
        assertThat(p.evaluate(at("2026-11-28T13:00:00Z")).isDenied()).as("Saturday 22:00 Tokyo, window start is inclusive").isTrue();
        assertThat(p.evaluate(at("2026-11-28T21:00:00Z")).isDenied()).as("Sunday 06:00 Tokyo").isFalse();
    }

    private static PolicyRequest at(String instant) {
        return new PolicyRequest(CallDescription.mcpToolCall("r", "t", null), ACME, Instant.parse(instant));
    }
}
