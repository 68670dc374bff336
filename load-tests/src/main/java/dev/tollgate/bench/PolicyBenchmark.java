package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.CompiledRule;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Policy evaluation cost by rule count and by where the deciding rule sits, for three evaluators: {@code
 * indexed} (the shipped {@link CompiledPolicy}: tool index, precompiled conditions), {@code linear} (the same
 * compiled conditions scanned in order without the index) and {@code naive} (the YAML tree interpreted rule
 * by rule: {@link NaiveEvaluator}). All three must agree on the decision; setup checks it.
 *
 * <p>The document: N rules, each for one tool with an argument condition
 * ({@code all: [{tool: tool_i}, {arg: {path: /limit, gt: i}}]}), the shape of a real tool allow-list, plus
 * three rules that name no tool (a claim, a method glob, a capability) which apply to every call.
 * Scenarios: FIRST_MATCH (tool_0, matching), LAST_MATCH (the last rule's tool, matching), NO_MATCH (a tool
 * no rule names: every applicable rule fails, the default decides), ARG_CONDITIONS (a tool in the middle,
 * its argument condition evaluated and failing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PolicyBenchmark {

    public enum Scenario { FIRST_MATCH, LAST_MATCH, NO_MATCH, ARG_CONDITIONS }

    @Param({"1", "100", "1000", "10000"})
    int rules;

    @Param({"FIRST_MATCH", "LAST_MATCH", "NO_MATCH", "ARG_CONDITIONS"})
    Scenario scenario;

    private CompiledPolicy policy;
    private CompiledRule[] linear;
    private NaiveEvaluator naive;
    private PolicyRequest request;

    @Setup
    public void setUp() throws Exception {
        String yaml = document(rules);
        policy = PolicyLoader.parse(yaml, "bench.yaml", CheckRegistry.withDefaults());
        naive = new NaiveEvaluator(yaml);
        linear = policy.rules().toArray(CompiledRule[]::new);
        ObjectMapper json = new ObjectMapper();
        Identity identity = new Identity("spiffe://prod/agents/planner", "acme", "planner", "run-1", "u", null, "tree-1",
                List.of("fs.read"), Map.of());
        String tool;
        JsonNode args;
        switch (scenario) {
            case FIRST_MATCH -> {
                tool = "tool_0";
                args = json.readTree("{\"limit\": 5}");
            }
            case LAST_MATCH -> {
                tool = "tool_" + (rules - 1);
                args = json.readTree("{\"limit\": " + rules + "}");
            }
            case NO_MATCH -> {
                tool = "unlisted_tool";
                args = json.readTree("{\"limit\": 5}");
            }
            default -> {
                tool = "tool_" + (rules / 2);
                args = json.readTree("{\"limit\": -1}");
            }
        }
        request = new PolicyRequest(CallDescription.mcpToolCall("bench", tool, args), identity, Instant.parse("2026-11-23T10:00:00Z"));
        Decision indexed = policy.evaluate(request);
        Decision scanned = linearEvaluate();
        if (indexed != scanned) {
            throw new IllegalStateException("indexed and linear evaluators disagree: " + indexed + " vs " + scanned);
        }
        NaiveEvaluator.Outcome interpreted = naive.evaluate(request);
        if (interpreted.action() != indexed.action() || !java.util.Objects.equals(interpreted.rule(), indexed.ruleName())) {
            throw new IllegalStateException("indexed and naive evaluators disagree: " + indexed + " vs " + interpreted);
        }
    }

    static String document(int n) {
        StringBuilder yaml = new StringBuilder("name: bench\ndefaults: {action: deny}\nrules:\n");
        for (int i = 0; i < n; i++) {
            yaml.append("  - name: allow-tool-").append(i).append('\n')
                    .append("    condition: {all: [{tool: tool_").append(i).append("}, {arg: {path: /limit, gt: ").append(i - 1).append("}}]}\n")
                    .append("    action: allow\n");
        }
        yaml.append("""
                  - name: other-tenants
                    condition: {claim: {name: tenant, in: [beta, gamma]}}
                    action: deny
                  - name: no-admin-methods
                    condition: {method: "admin/*"}
                    action: deny
                  - name: writers-audited
                    condition: {capability: fs.write}
                    action: audit
                """);
        return yaml.toString();
    }

    @Benchmark
    public Decision indexed() {
        return policy.evaluate(request);
    }

    @Benchmark
    public Decision linear() {
        return linearEvaluate();
    }

    /** The naive baseline: the YAML tree interpreted rule by rule, in priority order, no index. */
    @Benchmark
    public NaiveEvaluator.Outcome naive() {
        return naive.evaluate(request);
    }

    /** The compiled conditions without the tool index: isolates what the index buys. */
    private Decision linearEvaluate() {
        for (CompiledRule rule : linear) {
            if (rule.condition().matches(request)) {
                return rule.decision();
            }
        }
        return policy.defaultDecision();
    }
}
