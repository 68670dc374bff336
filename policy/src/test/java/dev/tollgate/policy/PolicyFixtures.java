package dev.tollgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Helpers shared by the policy tests. */
final class PolicyFixtures {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant MONDAY_10_UTC = Instant.parse("2026-11-23T10:00:00Z");
    static final Identity ACME = new Identity("spiffe://prod.example/agents/planner", "acme", "planner", "run-1", "user-7",
            "run-0", "tree-9", List.of("fs.read"), Map.of("region", "eu", "level", 3, "groups", List.of("dev", "ops")));

    private PolicyFixtures() {
    }

    static CompiledPolicy policy(String yaml) {
        try {
            return PolicyLoader.parse(yaml, "test.yaml", CheckRegistry.withDefaults());
        } catch (PolicyException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** A document with the given rules (YAML list items, already indented by two spaces) and default. */
    static CompiledPolicy rules(String defaultAction, String rulesYaml) {
        return policy("name: p\nmode: enforce\ndefaults:\n  action: " + defaultAction + "\nrules:\n" + rulesYaml);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static PolicyRequest toolCall(String tool, String argumentsJson) {
        return new PolicyRequest(CallDescription.mcpToolCall("r", tool, json(argumentsJson)), ACME, MONDAY_10_UTC);
    }

    static PolicyRequest toolCall(String tool, String argumentsJson, Identity identity) {
        return new PolicyRequest(CallDescription.mcpToolCall("r", tool, json(argumentsJson)), identity, MONDAY_10_UTC);
    }
}
