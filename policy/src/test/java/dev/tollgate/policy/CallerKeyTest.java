package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Caller keys own tasks, sessions' prompts and limit buckets: two identities must never share one. */
class CallerKeyTest {

    @Test
    void identitiesWhosePartsJoinAlikeHaveDifferentKeys() {
        assertThat(CallerKey.of(axid("acme/ops", "planner"))).isNotEqualTo(CallerKey.of(axid("acme", "ops/planner")));
        assertThat(CallerKey.of(axid("acme|ops", "planner"))).isNotEqualTo(CallerKey.of(axid("acme", "ops|planner")));
        assertThat(CallerKey.of(axid("acme", "null"))).isNotEqualTo(CallerKey.of(axid("acme", null)));
        assertThat(CallerKey.of(axid("acme", "-"))).isNotEqualTo(CallerKey.of(axid("acme", null)));
        assertThat(CallerKey.of(axid("acme", "%2D"))).isNotEqualTo(CallerKey.of(axid("acme", "-")));
        assertThat(CallerKey.of(axid("a%2Fb", "c"))).isNotEqualTo(CallerKey.of(axid("a/b", "c")));
        assertThat(CallerKey.of(oauth("https://as", "client", "a/b"))).isNotEqualTo(CallerKey.of(oauth("https://as", "client/a", "b")));
    }

    @Test
    void everydayNamesReadAsThemselves() {
        assertThat(CallerKey.of(axid("acme", "planner"))).isEqualTo("axid:acme/planner");
        assertThat(CallerKey.of(axid("acme", null))).isEqualTo("axid:acme/-");
        assertThat(CallerKey.of(new Identity("spiffe://example.org/ns/a/sa/b", null, null, null, null, null, null, null, null)))
                .isEqualTo("spiffe:spiffe://example.org/ns/a/sa/b");
    }

    @Test
    void oauthCallersAreTheirIssuerClientAndSubject() {
        assertThat(CallerKey.of(oauth("https://as", "agent-client", "alice"))).isNotEqualTo(CallerKey.of(oauth("https://as", "agent-client", "bob")));
        assertThat(CallerKey.of(oauth("https://as", "client-a", null))).isNotEqualTo(CallerKey.of(oauth("https://as", "client-b", null)));
        assertThat(CallerKey.of(oauth("https://as-1", "c", "alice"))).isNotEqualTo(CallerKey.of(oauth("https://as-2", "c", "alice")));
    }

    /** Review V: every layer of the caller is part of its key, not only the first one present. */
    @Test
    void subUsersAndOAuthUsersBehindOneWorkloadOrAgentAreCallersOfTheirOwn() {
        Identity alice = new Identity(null, "acme", "planner", "run-1", "alice", null, null, null, null);
        Identity bob = new Identity(null, "acme", "planner", "run-1", "bob", null, null, null, null);
        assertThat(CallerKey.of(alice)).isEqualTo("axid:acme/planner/alice").isNotEqualTo(CallerKey.of(bob));
        assertThat(CallerKey.of(new Identity(null, "acme", "planner/alice", "run-1", null, null, null, null, null)))
                .isNotEqualTo(CallerKey.of(alice));
        Map<String, Object> aliceToken = Map.of(CallerKey.OAUTH_ISSUER, "https://as", "client_id", "c", "oauth_sub", "alice");
        Map<String, Object> bobToken = Map.of(CallerKey.OAUTH_ISSUER, "https://as", "client_id", "c", "oauth_sub", "bob");
        String workload = "spiffe://example.org/apps/chat";
        assertThat(CallerKey.of(new Identity(workload, null, null, null, "alice", null, null, List.of(), aliceToken)))
                .isEqualTo("spiffe:spiffe://example.org/apps/chat|oauth:https:%2F%2Fas/c/alice")
                .isNotEqualTo(CallerKey.of(new Identity(workload, null, null, null, "bob", null, null, List.of(), bobToken)));
    }

    @Test
    void aCallerWithNoIdentityHasNoKey() {
        assertThat(CallerKey.of(Identity.ANONYMOUS)).isNull();
        assertThat(CallerKey.of(new Identity(null, null, null, null, null, null, null, List.of(), Map.of("scope", List.of("x"))))).isNull();
    }

    private static Identity axid(String tenant, String agent) {
        return new Identity(null, tenant, agent, "run-1", null, null, null, null, null);
    }

    private static Identity oauth(String issuer, String client, String subject) {
        Map<String, Object> claims = new java.util.HashMap<>();
        claims.put(CallerKey.OAUTH_ISSUER, issuer);
        claims.put("client_id", client);
        if (subject != null) {
            claims.put("oauth_sub", subject);
        }
        return new Identity(null, null, null, null, subject, null, null, null, claims);
    }
}
