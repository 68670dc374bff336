package dev.tollgate.policy.agt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.AssumedFacts;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review U, findings 5 and 6: {@code defaults.max_tool_calls} as the AGT loader enforces it.
 *
 * <p><b>AGT 4.1.0.</b> The cap is the host's, checked before and regardless of the document's rules:
 * {@code if ctx.call_count >= self.policy.max_tool_calls: ... return deny_max_tool_calls(...)}
 * (agent-governance-python/agent-os/src/agent_os/integrations/base.py line 1552, v4.1.0, commit 0de71ca6c9; line 859
 * likewise); no rule can allow a call past it. The schema types it {@code max_tool_calls: int = 10} (schema.py line
 * 77, pydantic lax mode: {@code "3"} and {@code 3.0} are 3), and {@code GovernancePolicy} accepts any non-negative
 * value (base.py lines 286-292): 0 is v4's "no tool call at all" sentinel (_v5_runtime_bridge.py lines 495-512).
 *
 * <p><b>Finding 5 (LOW, bypass):</b> {@code AgtDocumentLoader.maxToolCalls} builds the cap as a rule of priority
 * {@code Integer.MAX_VALUE} but with order {@code rules.size()}, i.e. after every rule of the file on a priority tie.
 * A rule written with {@code priority: 2147483647} (a "top priority" some authors write) therefore runs before the
 * cap, and an allow rule there lets a run call past its cap. The importer gets it right (it writes the cap first in
 * the file). Fix: give the cap order -1 (or sort it first explicitly).
 *
 * <p><b>Finding 6 (LOW, compatibility: a document AGT accepts is refused):</b> {@code max_tool_calls: 0}, {@code "3"}
 * and {@code 3.0} are refused at load ("a positive integer"); AGT reads 0, 3 and 3. Fix: accept what pydantic's lax
 * int accepts (as {@code AgtPriority} does for priorities), and compile 0 as a rule denying every {@code tools/call}.
 */
class MaxToolCallsAgtReviewUTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Decision toolCall(CompiledPolicy policy, String tool, boolean capReached) throws Exception {
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", tool, JSON.readTree("{}")), Identity.ANONYMOUS, NOW,
                new AssumedFacts(0, 0, capReached)));
    }

    /** AGT: the run has made its 3 calls -> deny_max_tool_calls, whatever the rules say. */
    @Test
    void noRuleRunsBeforeTheCap() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse("""
                version: "1.0"
                name: capped
                defaults: {action: deny, max_tool_calls: 3}
                rules:
                  - name: search-is-always-fine
                    condition: {field: tool_name, operator: eq, value: search}
                    action: allow
                    priority: 2147483647
                """, "capped.yaml", CheckRegistry.withDefaults());

        Decision decision = toolCall(policy, "search", true);

        assertThat(decision.action()).isEqualTo(Action.DENY);
        assertThat(decision.ruleName()).isEqualTo("defaults.max_tool_calls");
    }

    /** AGT loads each of these; with 0 every tool call is denied, with "3" / 3.0 a run has three. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "\"3\"", "3.0"})
    void capsAgtAcceptsLoad(String cap) throws Exception {
        CompiledPolicy policy = PolicyLoader.parse("""
                version: "1.0"
                name: capped
                defaults: {action: allow, max_tool_calls: %s}
                rules:
                  - name: block-shell
                    condition: {field: tool_name, operator: eq, value: shell}
                    action: deny
                """.formatted(cap), "capped.yaml", CheckRegistry.withDefaults());

        boolean none = "0".equals(cap);
        // The run's first call: with a cap of 0 it is already over (the bucket given as empty), else well within it.
        assertThat(toolCall(policy, "search", none).action()).isEqualTo(none ? Action.DENY : Action.ALLOW);
    }
}
