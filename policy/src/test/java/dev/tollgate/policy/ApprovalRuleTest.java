package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.check.CheckRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code approve} action: its terms, how it reads in enforce and shadow mode, and AGT's {@code require_approval}. */
class ApprovalRuleTest {

    private static PolicyRequest call(String tool) {
        return new PolicyRequest(CallDescription.mcpToolCall("r", tool, null), Identity.ANONYMOUS, java.time.Instant.now());
    }

    @Test
    void anApproveRuleCarriesItsTermsAndNeverCountsAsAllowedByItself() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: prod-deploys
                    condition: {tool: deploy}
                    action: approve
                    approval: {timeout: 10m, on-timeout: allow, approvers: [release-managers]}
                  - name: wipes
                    condition: {tool: wipe}
                    action: require_approval
                """, "p.yaml", CheckRegistry.withDefaults());
        Decision deploy = policy.evaluate(call("deploy"));
        assertThat(deploy.action()).isEqualTo(Action.APPROVE);
        assertThat(deploy.approval()).isEqualTo(new ApprovalTerms(Duration.ofMinutes(10), Action.ALLOW, List.of("release-managers")));
        assertThat(deploy.requiresApproval()).isTrue();
        // Fail closed everywhere a call cannot be held: not allowed, and refused by whoever only knows "enforced deny".
        assertThat(deploy.allowsCall()).isFalse();
        assertThat(deploy.enforcedDeny()).isTrue();
        Decision wipe = policy.evaluate(call("wipe"));
        assertThat(wipe.approval()).isEqualTo(ApprovalTerms.DEFAULT);
        assertThat(policy.evaluate(call("read")).requiresApproval()).isFalse();
        // A tool whose calls wait for approval is still one the caller may call: it stays listed.
        assertThat(policy.mayEverCall("deploy", Identity.ANONYMOUS)).isTrue();
    }

    @Test
    void inShadowModeAnApproveRuleHoldsNothing() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse("""
                name: p
                mode: shadow
                rules:
                  - {name: r, condition: {tool: deploy}, action: approve}
                """, "p.yaml", CheckRegistry.withDefaults());
        Decision decision = policy.evaluate(call("deploy"));
        assertThat(decision.action()).isEqualTo(Action.APPROVE);
        assertThat(decision.requiresApproval()).isFalse();
        assertThat(decision.allowsCall()).isTrue();
        assertThat(decision.enforcedDeny()).isFalse();
    }

    @Test
    void agtRequireApprovalMapsToApprove() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse("""
                name: agt
                defaults: {action: allow}
                rules:
                  - name: needs-a-human
                    condition: {field: tool_name, operator: eq, value: deploy}
                    action: require_approval
                """, "agt.yaml", CheckRegistry.withDefaults());
        assertThat(policy.evaluate(call("deploy")).action()).isEqualTo(Action.APPROVE);
    }
}
