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

    /** Task and context bindings keep only the owner's CallerKey: read back, it is the same tenant for every identity it spells. */
    @Test
    void readBackFromTheCallerKeyItIsTheSameKey() {
        Map<String, Object> oauth = Map.of(CallerKey.OAUTH_ISSUER, "https://idp/a|b", "client_id", "app/1", "oauth_sub", "al/ice");
        Map<String, Object> clientOnly = Map.of(CallerKey.OAUTH_ISSUER, "https://idp", "client_id", "-");
        Map<String, Object> subjectOnly = Map.of(CallerKey.OAUTH_ISSUER, "https://idp", "oauth_sub", "-");
        Map<String, Object> noIssuer = Map.of("oauth_sub", "bob");
        List<Identity> identities = List.of(
                axid("acme", "planner", "run-1", "u1"), axid("acme/ops", "planner", null, null), axid("-", "a", null, null),
                axid(null, "planner", null, "u1"), axid(null, "ops/planner", "r", null),
                new Identity("spiffe://td/w", null, null, null, null, null, null, List.of(), Map.of()),
                new Identity("spiffe://td/w", null, null, null, null, null, null, List.of(), oauth),
                new Identity("spiffe://td/w", null, "a", null, "u", null, null, List.of(), Map.of()),
                new Identity("spiffe://td/w", null, "a", null, "u", null, null, List.of(), oauth),
                new Identity("spiffe://td/w", "acme", "a", null, "u", null, null, List.of(), oauth),
                new Identity(null, "acme", "bot", null, "u", null, null, List.of(), oauth),
                new Identity(null, null, "bot", null, "u", null, null, List.of(), oauth),
                new Identity(null, null, "bot", null, "u", null, null, List.of(), clientOnly),
                new Identity(null, null, null, null, null, null, null, List.of(), oauth),
                new Identity(null, null, null, null, null, null, null, List.of(), clientOnly),
                new Identity(null, null, null, null, null, null, null, List.of(), subjectOnly),
                new Identity(null, null, null, null, null, null, null, List.of(), noIssuer),
                Identity.ANONYMOUS);
        for (Identity who : identities) {
            assertThat(TenantKey.ofCaller(CallerKey.of(who))).as("%s (%s)", CallerKey.of(who), who).isEqualTo(TenantKey.ofHolder(who));
        }
    }

    @Test
    void aTenantlessAgentOnASpiffeWorkloadIsThatWorkloadsAndAnOAuthUserBehindOneHoldsAsTheUserAndUsesCapacityAsTheWorkload() {
        // Review AJ: a tenantless agent's name is any workload's to use; the users of one mTLS client app are people apart.
        Identity planner = new Identity("spiffe://td/w", null, "a", null, "u", null, null, List.of(), Map.of());
        Identity sameNameElsewhere = new Identity("spiffe://td/other", null, "a", null, "u", null, null, List.of(), Map.of());
        assertThat(CallerKey.of(planner)).isNotEqualTo(CallerKey.of(sameNameElsewhere));
        assertThat(TenantKey.ofCaller(CallerKey.of(planner))).isEqualTo("spiffe:spiffe://td/w").isEqualTo(TenantKey.ofHolder(planner))
                .isEqualTo(TenantKey.of(planner));
        Map<String, Object> alice = Map.of(CallerKey.OAUTH_ISSUER, "https://idp", "client_id", "app", "oauth_sub", "alice");
        Map<String, Object> mallory = Map.of(CallerKey.OAUTH_ISSUER, "https://idp", "client_id", "app", "oauth_sub", "mallory");
        Identity aliceBehind = new Identity("spiffe://td/w", null, null, null, null, null, null, List.of(), alice);
        Identity malloryBehind = new Identity("spiffe://td/w", null, null, null, null, null, null, List.of(), mallory);
        assertThat(TenantKey.ofHolder(aliceBehind)).isEqualTo("oauth:https:%2F%2Fidp/sub:alice").isNotEqualTo(TenantKey.ofHolder(malloryBehind));
        // Review AL: for capacity the client app is one tenant, however many users sign in through it.
        assertThat(TenantKey.of(aliceBehind)).isEqualTo("spiffe:spiffe://td/w").isEqualTo(TenantKey.of(malloryBehind));
        assertThat(TenantKey.ofCaller("not a caller key")).isNull();
        assertThat(TenantKey.ofCaller("spiffe:x|axid:acme/a")).as("layers out of CallerKey's order").isNull();
        assertThat(TenantKey.ofCaller(null)).isNull();
    }
}
