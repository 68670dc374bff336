package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code pinned:} reads the gateway's fact about the call's tool, never decides listing, and is false without the gateway. */
class PinnedConditionTest {

    private static final CompiledPolicy POLICY = PolicyFixtures.policy("""
            name: p
            defaults: {action: allow}
            rules:
              - name: unreviewed-needs-a-person
                condition: {pinned: false}
                action: approve
            """);

    @Test
    void aRuleOnUnpinnedToolsMatchesOnlyWhatTheGatewaySaysIsNotPinned() {
        assertThat(POLICY.evaluate(request(true)).action()).isEqualTo(Action.ALLOW);
        assertThat(POLICY.evaluate(request(false)).ruleName()).isEqualTo("unreviewed-needs-a-person");
        // Without the gateway's state (explain, replay, policy tests) nothing counts as pinned.
        assertThat(POLICY.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "echo", null), Identity.ANONYMOUS, Instant.now()))
                .ruleName()).isEqualTo("unreviewed-needs-a-person");
        // Unknown before the call: the tool stays listed.
        assertThat(POLICY.mayEverCall("echo", Identity.ANONYMOUS)).isTrue();
    }

    @Test
    void pinnedTakesABooleanOnly() {
        assertThatThrownBy(() -> PolicyLoader.parse("""
                name: p
                rules:
                  - {name: r, condition: {pinned: "yes"}, action: deny}
                """, "p.yaml", CheckRegistry.withDefaults())).hasMessageContaining("pinned is true (the tool's definition is the reviewed one) or false");
    }

    private static PolicyRequest request(boolean pinned) {
        return new PolicyRequest(CallDescription.mcpToolCall("r", "echo", null), Identity.ANONYMOUS, Instant.now(), new CallFacts() {
            @Override
            public boolean overBudget(String rule, long limitMicros) {
                return false;
            }

            @Override
            public boolean rateLimited(String rule, String key, double perSecond, long burst) {
                return false;
            }

            @Override
            public boolean toolPinned() {
                return pinned;
            }
        });
    }
}
