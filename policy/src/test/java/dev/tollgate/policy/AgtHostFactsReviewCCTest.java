package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.check.CheckRegistry;
import org.junit.jupiter.api.Test;

/**
 * Review CC: AGT's own {@code examples/policies/strict.yaml} denies on {@code token_count}, {@code tool_call_count} and
 * {@code confidence}: facts AGT's host puts in the evaluator's context (BaseIntegration builds {agent_id, action_type,
 * tool_name, tool_args, **extra}; a tool's arguments are only under tool_args). Tollgate reads such a name as a claim,
 * else the caller's own top-level argument (policy/README.md, "Context"), so the caller decides whether these deny
 * rules hold: it omits the field, or sends {@code confidence: 1}. That is documented as the mapping, but loading the
 * document says nothing: the warnings name only the LLM defaults. A security team reading the load output believes
 * its confidence floor is enforced.
 */
class AgtHostFactsReviewCCTest {

    private static final String STRICT = "agent-governance-python__agent-os__examples__policies__strict.yaml";

    /** strict.yaml's confidence rule and its audit rule, as AGT writes them (without the defaults.max_tool_calls cap,
     * which evaluations without gateway state count as spent). */
    private static final String STRICT_CONFIDENCE = """
            version: "1.0"
            name: strict
            rules:
              - name: confidence_threshold
                condition: {field: confidence, operator: lt, value: 0.95}
                action: deny
                priority: 90
              - name: audit_all_tool_calls
                condition: {field: tool_name, operator: ne, value: ""}
                action: audit
                priority: 50
            defaults:
              action: deny
            """;

    @Test
    void aCallerChosenFactIsNamedAtLoad() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(STRICT_CONFIDENCE, "strict.yaml", CheckRegistry.withDefaults());
        // What the caller can do with it: a low-confidence call passes by declaring itself confident.
        assertThat(policy.evaluate(toolCall("search", "{\"confidence\": 0.5}")).action()).isEqualTo(Action.DENY);
        assertThat(policy.evaluate(toolCall("search", "{\"confidence\": 1}")).action()).isEqualTo(Action.AUDIT);
        // The loader should say that these deny rules read values the caller supplies (none of its warnings does).
        assertThat(policy.warnings()).as("load warnings of " + STRICT + "'s confidence rule")
                .anySatisfy(w -> assertThat(w.field() + " " + w.message()).contains("confidence"));
    }
}
