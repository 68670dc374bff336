package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.budget.BudgetFacts;
import dev.tollgate.gateway.budget.SpendView;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallFacts;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Review AR: SettledFacts (the recheck of a held call after ANY reload) reads "the call did not note a budget hold under
 * rule R" as "rule R is a limit the reload added". A call held BECAUSE it was over budget (a budget check in an approve
 * rule: "overspend needs a person's yes") noted no hold: its first overBudget answered true. So after any reload, even
 * one that changes nothing for this route, the recheck refuses the approved call as limit_added, although the serving
 * policy is the very one it was held (and approved) under. Every overspend approval pending during a reload is lost.
 */
class OverBudgetApprovalSupersededReviewARTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: overspend-needs-approval
                condition: {check: {name: budget, args: {limit_usd: 10}}}
                action: approve
                approval: {timeout: 30s, on-timeout: deny}
            """;

    @Test
    void aCallHeldBecauseOverBudgetIsNotReadAsUnderALimitTheReloadAdded() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(POLICY, "p.yaml", CheckRegistry.withDefaults());
        CallDescription call = CallDescription.mcpToolCall("raw", "add", new ObjectMapper().readTree("{\"a\":1}"));

        // First decision: $12 spent against a $10 limit -> the approve rule matches, the call is held.
        BudgetFacts first = new BudgetFacts(spend(12_000_000L), 100_000L);
        Decision held = policy.evaluate(new PolicyRequest(call, Identity.ANONYMOUS, Instant.now(), first));
        assertThat(held.requiresApproval()).as("control: the over-budget call is held for approval: %s", held).isTrue();

        // Recheck after a reload with the SAME policy (as ApprovalRecheck does: the serving policy, SettledFacts).
        Object settled = settled(first);
        policy.evaluate(new PolicyRequest(call, Identity.ANONYMOUS, Instant.now(), (CallFacts) settled));
        assertThat(unsecured(settled))
                .as("the serving policy is the one the call was held and approved under (no limit was added), yet SettledFacts"
                        + " names rule 'overspend-needs-approval' as a limit the call did not secure, so ApprovalRecheck refuses"
                        + " the approved call as limit_added after any reload")
                .isNull();
    }

    @Test
    void controlACallHeldWithinBudgetStandsAfterAReload() throws Exception {
        String policyText = """
                name: p
                defaults: {action: allow}
                rules:
                  - name: ceiling
                    condition: {check: {name: budget, args: {limit_usd: 10}}}
                    action: deny
                  - name: approve-add
                    condition: {tool: add}
                    action: approve
                    approval: {timeout: 30s, on-timeout: deny}
                """;
        CompiledPolicy policy = PolicyLoader.parse(policyText, "p.yaml", CheckRegistry.withDefaults());
        CallDescription call = CallDescription.mcpToolCall("raw", "add", new ObjectMapper().readTree("{\"a\":1}"));
        BudgetFacts first = new BudgetFacts(spend(1_000_000L), 100_000L);
        Decision held = policy.evaluate(new PolicyRequest(call, Identity.ANONYMOUS, Instant.now(), first));
        assertThat(held.requiresApproval()).as("held: %s", held).isTrue();
        Object settled = settled(first);
        policy.evaluate(new PolicyRequest(call, Identity.ANONYMOUS, Instant.now(), (CallFacts) settled));
        assertThat(unsecured(settled)).as("a hold secured under the same rule is recognised").isNull();
    }

    @Test
    void aBudgetCeilingTheReloadAddedIsNamedAsNotSecured() throws Exception {
        CompiledPolicy before = PolicyLoader.parse("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: approve-add
                    condition: {tool: add}
                    action: approve
                    approval: {timeout: 30s, on-timeout: deny}
                """, "p.yaml", CheckRegistry.withDefaults());
        CompiledPolicy after = PolicyLoader.parse("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: emergency-ceiling
                    condition: {check: {name: budget, args: {limit_usd: 10}}}
                    action: deny
                  - name: approve-add
                    condition: {tool: add}
                    action: approve
                    approval: {timeout: 30s, on-timeout: deny}
                """, "p.yaml", CheckRegistry.withDefaults());
        CallDescription call = CallDescription.mcpToolCall("raw", "add", new ObjectMapper().readTree("{\"a\":1}"));
        BudgetFacts first = new BudgetFacts(spend(1_000_000L), 100_000L);
        assertThat(before.evaluate(new PolicyRequest(call, Identity.ANONYMOUS, Instant.now(), first)).requiresApproval()).isTrue();
        Object settled = settled(first);
        after.evaluate(new PolicyRequest(call, Identity.ANONYMOUS, Instant.now(), (CallFacts) settled));
        assertThat(unsecured(settled)).as("a ceiling added by the reload: no hold was taken under it, so the call is refused limit_added")
                .isEqualTo("emergency-ceiling");
    }

    private static SpendView spend(long ledgerMicros) throws Exception {
        Class<?> accountType = Class.forName("dev.tollgate.gateway.budget.TreeAccount");
        Constructor<?> account = accountType.getDeclaredConstructor();
        account.setAccessible(true);
        Class<?> readingType = Class.forName("dev.tollgate.gateway.budget.SpendReading");
        Constructor<?> reading = readingType.getDeclaredConstructor(long.class, long.class, long.class, accountType);
        reading.setAccessible(true);
        Constructor<SpendView> view = SpendView.class.getDeclaredConstructor(readingType, boolean.class, String.class);
        return view.newInstance(reading.newInstance(ledgerMicros, 0L, System.nanoTime(), account.newInstance()), false, null);
    }

    private static Object settled(CallFacts first) throws Exception {
        Constructor<?> c = Class.forName("dev.tollgate.gateway.pipeline.SettledFacts").getDeclaredConstructor(CallFacts.class);
        c.setAccessible(true);
        return c.newInstance(first);
    }

    private static String unsecured(Object settled) throws Exception {
        Method m = settled.getClass().getDeclaredMethod("unsecured");
        m.setAccessible(true);
        return (String) m.invoke(settled);
    }
}
