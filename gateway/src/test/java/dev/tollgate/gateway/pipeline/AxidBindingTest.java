package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.policy.Identity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AxidBindingTest {

    private static final Identity ACME_PLANNER = new Identity(null, "acme.example", "planner", "r", "u", "p", "t", List.of(), Map.of());

    @ParameterizedTest(name = "{0} segment {1} with {2} -> {3}")
    @CsvSource({
            "tenant, 0, spiffe://acme.example/agents/planner, true",
            "tenant, 0, spiffe://beta.example/agents/planner, false",
            "agent, 2, spiffe://acme.example/agents/planner, true",
            "agent, 2, spiffe://acme.example/agents/coder, false",
            "agent, 5, spiffe://acme.example/agents/planner, false",
            "missing, 0, spiffe://acme.example/agents/planner, false",
            "tenant, 0, , false"})
    void claimMustMatchTheSpiffeIdPart(String claim, int segment, String spiffeId, boolean bound) {
        assertThat(IdentityStage.bound(ACME_PLANNER, spiffeId, new AxidConfig.Binding(claim, segment))).isEqualTo(bound);
    }
}
