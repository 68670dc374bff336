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
 * Review (revL, 8ecd73c): WithheldTools keeps one policy per route and replaces the whole map whenever a list is
 * decided under another policy. A list answer still in flight across a reload (decided under the exchange's old
 * policy, which a slow upstream controls the timing of) arrives after the new policy's list withheld a tool: the
 * new policy's names are dropped, and the withheld tool is callable until the next list.
 */
class WithheldToolsStragglerReviewTest {

    private static final String YAML = "name: p\ndefaults: {action: allow}\nrules: []\n";

    @Test
    void aStragglerListUnderTheOldPolicyDoesNotForgetTheNewPolicysWithholdings() throws Exception {
        CompiledPolicy before = PolicyLoader.parse(YAML, "p.yaml", CheckRegistry.withDefaults());
        CompiledPolicy after = PolicyLoader.parse(YAML, "p.yaml", CheckRegistry.withDefaults());
        Decision by = new Decision(Action.DENY, "no-injected-results", "m", "p", Mode.ENFORCE);
        WithheldTools tools = new WithheldTools();
        tools.withheld("r", "read_notes", by, after);

        // A tools/list sent before the reload is answered now, and withholds some other tool under the old policy.
        tools.withheld("r", "other", by, before);

        assertThat(tools.withholding("r", "read_notes", after)).isNotNull();
    }
}
