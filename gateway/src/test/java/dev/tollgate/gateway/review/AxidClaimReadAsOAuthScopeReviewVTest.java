package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review V, finding 6 (low): AXID claims and the facts the OAuth stage establishes share one namespace
 * ({@code Identity.claims}), so an AXID claim named {@code scope} is read by policy as scopes "the caller's OAuth token
 * grants" (ScopeCondition) on a route that validates no OAuth token at all; likewise AXID claims {@code oauth_sub},
 * {@code client_id}, {@code oauth_iss} are written to the audit record's caller as the OAuth subject/client, and feed
 * {@code CallerKey}'s OAuth owner when the AXID names no tenant or agent (required-claims without them).
 *
 * <p>Input: AXID-only route (no {@code oauth}), policy {@code deny tool admin unless scope: admin:write}; AXID with the
 * default claims plus {@code "scope": "admin:write"}, calling tool {@code admin}.
 *
 * <p>Gateway's reading: {@code Identity.claims} holds every AXID claim; {@code ScopeCondition} reads claim {@code scope}
 * and matches a plain string equal to the scope, so the call is allowed. The documented reading (ScopeCondition, the
 * schema): {@code scope:} is what a validated OAuth token grants; an AXID issuer is not the authorization server, and on
 * this route there is no token, so the condition is false.
 *
 * <p>Suggested fix: keep OAuth facts apart from token claims (e.g. {@code Identity.oauth()} or claims under a reserved
 * prefix the AXID verifier refuses/drops), and make ScopeCondition, CallerKey, SealedSessions and the audit read only
 * what OAuthStage put there.
 */
class AxidClaimReadAsOAuthScopeReviewVTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: admin-needs-the-scope
                condition: {all: [{tool: admin}, {not: {scope: "admin:write"}}]}
                action: deny
                message: admin needs an OAuth token with admin:write
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private OctetKeyPair key;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"https://auth.test\", audience: tollgate}}\n"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anAxidClaimNamedScopeIsNotAnOAuthScope() throws Exception {
        TestHttp.Reply plain = call(axid(Map.of()));
        assertThat(plain.reason()).as("without the scope the rule denies").isEqualTo("policy_denied");

        TestHttp.Reply withClaim = call(axid(Map.of("scope", "admin:write")));

        assertThat(withClaim.reason()).as("no OAuth token was validated on this route: " + withClaim.body()).isEqualTo("policy_denied");
        assertThat(upstream.received()).isEmpty();
    }

    private TestHttp.Reply call(String axid) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", axid),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"admin\",\"arguments\":{}}}"));
    }

    private String axid(Map<String, Object> extra) throws Exception {
        Map<String, Object> claims = new HashMap<>(Map.of("tenant", "acme", "agent", "planner", "sub", "alice", "run", "r1",
                "parent", "r0", "tree", "t1"));
        claims.putAll(extra);
        return DevAxid.mint(key, "https://auth.test", "tollgate", Duration.ofMinutes(4), claims, List.of());
    }
}
