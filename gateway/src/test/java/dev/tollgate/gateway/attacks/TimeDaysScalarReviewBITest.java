package dev.tollgate.gateway.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review BI: a native {@code time} condition's {@code days} written as one scalar instead of a list ({@code days: mon-fri},
 * {@code days: weekdays}, {@code days: sat}) is read by iterating the node (ConditionCompiler.time:
 * {@code for (JsonNode d : value.path("days"))}), which for a scalar yields nothing: the set of days stays empty, which
 * TimeCondition reads as every day, and the document loads without a word. A deploy rule meant for office hours on
 * weekdays then allows deploys on Saturday. Any other mistake in {@code days} ({@code days: [mon-fri]}) is a load error.
 */
class TimeDaysScalarReviewBITest {

    /** Saturday 2026-12-05, 10:00 UTC: inside 09:00-17:00, outside Monday to Friday. */
    private static final Instant SATURDAY_10_UTC = Instant.parse("2026-12-05T10:00:00Z");

    private static String document(String days) {
        return """
                name: deploys
                defaults: {action: deny}
                rules:
                  - name: deploys-in-office-hours
                    condition:
                      all:
                        - tool: deploy_production
                        - time: {after: "09:00", before: "17:00", zone: UTC, days: %s}
                    action: allow
                """.formatted(days);
    }

    private static Decision saturdayDeploy(CompiledPolicy policy) {
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "deploy_production",
                JsonNodeFactory.instance.objectNode()), Identity.ANONYMOUS, SATURDAY_10_UTC));
    }

    /** Control: the list form denies the Saturday deploy (no rule holds, the default denies). */
    @Test
    void controlTheListFormDeniesSaturday() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(document("[mon, tue, wed, thu, fri]"), "deploys.yaml", CheckRegistry.withDefaults());

        assertThat(saturdayDeploy(policy).enforcedDeny()).isTrue();
    }

    /** Control: a misspelt day inside a list is a load error. */
    @Test
    void controlAMisspeltDayInAListIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> PolicyLoader.parse(document("[mon-fri]"), "deploys.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class);
    }

    /** A scalar: refused at load (correct), or at least not read as "every day". */
    @ParameterizedTest
    @ValueSource(strings = {"mon-fri", "weekdays", "mon"})
    void aScalarDaysIsRefusedOrStillExcludesSaturday(String days) {
        CompiledPolicy policy;
        try {
            policy = PolicyLoader.parse(document(days), "deploys.yaml", CheckRegistry.withDefaults());
        } catch (PolicyException refused) {
            return; // loud: correct
        }
        Decision decision = saturdayDeploy(policy);

        assertThat(decision.enforcedDeny()).as("days: " + days + " on a Saturday: " + decision).isTrue();
    }
}
