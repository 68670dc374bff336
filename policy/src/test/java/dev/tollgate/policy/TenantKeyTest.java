package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantKeyTest {

    private static Identity axid(String tenant, String agent, String run, String sub) {
        return new Identity(null, tenant, agent, run, sub, null, null, List.of(), Map.of());
    }

    @Test
    void subUsersAgentsAndRunsOfOneTenantAreOneTenant() {
        assertThat(TenantKey.of(axid("acme", "planner", "run-1", "u1")))
                .isEqualTo(TenantKey.of(axid("acme", "writer", "run-2", "u2"))).isEqualTo("tenant:acme");
        assertThat(TenantKey.of(axid("acme/ops", "planner", null, null))).isNotEqualTo(TenantKey.of(axid("acme", "ops/planner", null, null)));
    }

    @Test
    void withoutATenantTheSpiffeIdThenTheOAuthSubjectThenTheAgent() {
        assertThat(TenantKey.of(new Identity("spiffe://td/w", null, "a", null, null, null, null, List.of(), Map.of())))
                .isEqualTo("spiffe:spiffe://td/w");
        Identity oauth = new Identity(null, null, null, null, null, null, null, List.of(),
                Map.of(CallerKey.OAUTH_ISSUER, "https://idp", "client_id", "app", "oauth_sub", "alice"));
        assertThat(TenantKey.of(oauth)).isEqualTo("oauth:https:%2F%2Fidp/sub:alice");
        Identity clientOnly = new Identity(null, null, null, null, null, null, null, List.of(),
                Map.of(CallerKey.OAUTH_ISSUER, "https://idp", "client_id", "app"));
        assertThat(TenantKey.of(clientOnly)).isEqualTo("oauth:https:%2F%2Fidp/client:app");
        assertThat(TenantKey.of(axid(null, "planner", null, null))).isEqualTo("agent:planner");
        assertThat(TenantKey.of(Identity.ANONYMOUS)).isNull();
    }
}
