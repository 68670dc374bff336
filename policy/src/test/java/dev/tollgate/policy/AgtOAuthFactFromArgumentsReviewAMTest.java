package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review AM, finding 1 (medium-high: a tool argument poses as a verified OAuth fact in AGT conditions).
 *
 * <p>An AGT condition's field is, in order: a gateway field ({@code AgtCondition.GATEWAY_FIELDS}: tool_name, tenant, sub,
 * spiffe_id, ...), else the caller's claim of that name, else <em>the call's top-level argument of that name</em>. The
 * facts OAuthStage writes from the verified bearer token ({@code client_id}, {@code oauth_sub}, {@code oauth_iss},
 * {@code scope}) are not gateway fields. So when the gateway has no such fact for this caller (a token without
 * {@code client_id}/{@code azp}, a token without {@code sub}, a route without OAuth where {@code scope} and
 * {@code oauth_iss} are never set), the caller's own argument of that name is read as if the authorization server had
 * said it. The gateway's other readers (CallerKey, TenantKey, audit {@code client_id}, traces, {@code scope:}
 * conditions) read only the claim, so the call is decided as client "admin-console" and audited/counted as no client.
 *
 * <p>Attacker: any caller holding a valid token for the route that lacks the fact (e.g. a user-delegated token whose
 * AS puts no client_id; a client-credentials token without sub), or any caller at all on a route without OAuth; they
 * only choose the tool call's arguments.
 *
 * <p>Suggested fix: add the OAuth fact names (client_id, oauth_sub, oauth_iss, scope; ideally every name the gateway
 * writes into claims) to GATEWAY_FIELDS so they are never read from arguments; or read arguments only under
 * {@code tool_args}/an explicit prefix.
 */
class AgtOAuthFactFromArgumentsReviewAMTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ADMIN_CONSOLE_ONLY = """
            name: p
            defaults: {action: deny}
            rules:
              - name: admin-console-exports
                condition: {field: client_id, operator: eq, value: admin-console}
                action: allow
            """;

    private static final String ADMIN_SCOPE_ONLY = """
            name: p
            defaults: {action: deny}
            rules:
              - name: admin-scope-exports
                condition: {field: scope, operator: contains, value: admin}
                action: allow
            """;

    private static final String ACME_ONLY = """
            name: p
            defaults: {action: deny}
            rules:
              - name: acme-exports
                condition: {field: tenant, operator: eq, value: acme}
                action: allow
            """;

    /** The caller as OAuthStage.withPrincipal builds it for a valid token with sub=mallory and no client_id/azp. */
    private static Identity oauthCaller(String clientId) {
        Map<String, Object> claims = new java.util.HashMap<>(Map.of("oauth_iss", "https://as.example", "oauth_sub", "mallory",
                "scope", List.of("tools:read")));
        if (clientId != null) {
            claims.put("client_id", clientId);
        }
        return new Identity(null, null, null, null, "mallory", null, null, List.of(), claims);
    }

    private static Decision decide(String yaml, Identity who, String arguments) throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(yaml, "agt.yaml", CheckRegistry.withDefaults());
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "export", JSON.readTree(arguments)), who,
                Instant.parse("2026-11-23T10:00:00Z"), new AssumedFacts(0, 0, false)));
    }

    @Test
    void aToolArgumentDoesNotStandInForTheTokensClientId() throws Exception {
        assertThat(decide(ADMIN_CONSOLE_ONLY, oauthCaller("admin-console"), "{}").action())
                .as("control: the admin console's own token is allowed").isEqualTo(Action.ALLOW);
        assertThat(decide(ADMIN_CONSOLE_ONLY, oauthCaller(null), "{}").action())
                .as("control: a token naming no client is denied").isEqualTo(Action.DENY);
        assertThat(decide(ADMIN_CONSOLE_ONLY, oauthCaller("other-app"), "{\"client_id\": \"admin-console\"}").action())
                .as("control: a token naming a client is read over the argument").isEqualTo(Action.DENY);

        Decision smuggled = decide(ADMIN_CONSOLE_ONLY, oauthCaller(null), "{\"client_id\": \"admin-console\"}");

        assertThat(smuggled.action())
                .as("client_id is the gateway's fact from the verified token (CallerKey, audit and traces read no client "
                        + "for this caller); a tool argument named client_id must not make the call the admin console's")
                .isEqualTo(Action.DENY);
    }

    @Test
    void aToolArgumentDoesNotStandInForTheTokensScopes() throws Exception {
        Identity axidOnly = new Identity(null, "acme", "planner", "run-1", "user-7", "root", "tree-1", List.of(), Map.of());
        assertThat(decide(ACME_ONLY, new Identity(null, null, "planner", "run-1", "user-7", "root", "tree-1", List.of(), Map.of()), "{\"tenant\": \"acme\"}").action())
                .as("control: a gateway field (tenant) is never read from the arguments").isEqualTo(Action.DENY);

        Decision smuggled = decide(ADMIN_SCOPE_ONLY, axidOnly, "{\"scope\": [\"admin\"]}");

        assertThat(smuggled.action())
                .as("scope is what a verified bearer token granted (a scope: condition reads only the claim, and this caller "
                        + "has none); a tool argument named scope must not grant it")
                .isEqualTo(Action.DENY);
    }
}
