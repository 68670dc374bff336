package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.ACME;
import static dev.tollgate.policy.PolicyFixtures.MONDAY_10_UTC;
import static dev.tollgate.policy.PolicyFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.check.CheckRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review CF (fix AV): an A2A send is now {@code action_type: invoke_agent}; before fix AV (since fix AR) it was
 * {@code tool_call}. Review CC's allowlist pattern (allow named tools, deny every other {@code tool_call}) therefore
 * denied every other A2A skill on an A2A route until this merge, and now lets every skill through, with nothing said at
 * load: the deny rule silently stopped holding for A2A sends. Either the rule still holds on sends, or loading says it
 * no longer does (naming invoke_agent), so an operator upgrading learns that the allowlist is open on A2A routes.
 */
class AgtToolCallRuleOnA2aReviewCFTest {

    private static final String ALLOWLIST = """
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

    @Test
    void aToolCallDenyRuleThatNoLongerMeetsA2aSendsIsNotSilent() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(ALLOWLIST, "agt.yaml", CheckRegistry.withDefaults());
        Decision send = policy.evaluate(new PolicyRequest(CallDescription.a2a("agents", "SendMessage", "wipe-all-records", json("{}")),
                ACME, MONDAY_10_UTC));
        List<String> warnings = policy.warnings().stream().map(PolicyProblem::message).toList();
        boolean denied = send.action() == Action.DENY;
        boolean said = warnings.stream().anyMatch(w -> w.contains("invoke_agent"));
        assertThat(denied || said)
                .as("an A2A send of an unlisted skill was %s by rule %s, and loading warned only %s", send.action(), send.ruleName(), warnings)
                .isTrue();
    }
}
