package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.check.CheckRegistry;
import org.junit.jupiter.api.Test;

/**
 * Review CC: AGT 5.0.0's hosts build the PolicyEvaluator context with {@code BaseIntegration._build_cedar_context}
 * (agent_os/integrations/base.py): {@code {agent_id, action_type, tool_name, tool_args, **extra}}, and a tool call's
 * {@code action_type} is {@code "tool_call"} (pre_execute, bedrock; langgraph passes {@code "node_execution"}). Tollgate's
 * context (policy/README.md, "Context") has no {@code action_type}: the name falls to "any other name", a claim or
 * the caller's top-level argument. So a rule on what kind of action this is never holds for a tool call, and the
 * caller can make it hold or not by sending an argument of that name.
 */
class AgtActionTypeReviewCCTest {

    /** Allow one tool; every other tool call denied by its kind; model calls and handoffs (not tool calls) allowed. */
    private static final String DOC = """
            version: "1.0"
            name: tool-allowlist-by-kind
            defaults: {action: allow}
            rules:
              - name: allow-search
                condition: {field: tool_name, operator: eq, value: search}
                action: allow
                priority: 100
              - name: deny-other-tool-calls
                condition: {field: action_type, operator: eq, value: tool_call}
                action: deny
                priority: 10
            """;

    /** AGT (base host): action_type is tool_call, deny-other-tool-calls denies. Tollgate: no rule matches, default allow. */
    @Test
    void aToolCallIsAToolCallToAnAgtRule() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(DOC, "agt.yaml", CheckRegistry.withDefaults());
        assertThat(policy.evaluate(toolCall("search", "{}")).action()).isEqualTo(Action.ALLOW);
        Decision other = policy.evaluate(toolCall("delete_file", "{\"path\": \"/etc/passwd\"}"));
        assertThat(other.action()).isEqualTo(Action.DENY);
        assertThat(other.ruleName()).isEqualTo("deny-other-tool-calls");
    }

    /** AGT: the arguments are under tool_args, never beside action_type; a caller cannot rename its call's kind. */
    @Test
    void theCallerCannotChooseTheKindOfItsCall() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(DOC, "agt.yaml", CheckRegistry.withDefaults());
        Decision spoofed = policy.evaluate(toolCall("delete_file", "{\"action_type\": \"model_call\"}"));
        assertThat(spoofed.action()).isEqualTo(Action.DENY);
    }
}
