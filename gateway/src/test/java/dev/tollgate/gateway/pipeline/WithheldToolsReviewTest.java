package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.Action;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import org.junit.jupiter.api.Test;

/**
 * Review: "a reload of the route's policy forgets it" only hides the old policy's entries from withholding(); they stay
 * in the map and count against MAX_NAMES_PER_ROUTE (and keep the old CompiledPolicy reachable). After a reload, once a
 * route's map is full of the old policy's names, no tool can be withheld again until each stale name is listed clean.
 */
class WithheldToolsReviewTest {

    private static final String YAML = "name: p\ndefaults: {action: allow}\nrules: []\n";

    @Test
    void aReloadReallyForgetsTheOldPolicysWithholdings() throws Exception {
        CompiledPolicy before = PolicyLoader.parse(YAML, "p.yaml", CheckRegistry.withDefaults());
        CompiledPolicy after = PolicyLoader.parse(YAML, "p.yaml", CheckRegistry.withDefaults());
        Decision by = new Decision(Action.DENY, "no-injected-results", "m", "p", Mode.ENFORCE);
        WithheldTools tools = new WithheldTools();
        for (int i = 0; i < WithheldTools.MAX_NAMES_PER_ROUTE; i++) {
            tools.withheld("r", "junk" + i, by, before);
        }

        // The policy is reloaded; the next list withholds a poisoned tool under the new policy.
        tools.withheld("r", "read_notes", by, after);

        assertThat(tools.withholding("r", "read_notes", after)).isNotNull();
    }
}
