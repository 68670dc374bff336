package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.OAuthRoutes;
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
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AM, finding 2 (medium: review W's fix covers only claims the token also carries). On a route with {@code oauth}
 * and an AXID, OAuthStage.withPrincipal starts from the AXID's claims and writes the token's over them
 * ({@code claims = axid; claims.putAll(token)}). Review W: "the authorization server speaks for the user". But where the
 * token says nothing (the AS puts {@code role} only in admins' tokens, or {@code groups} only when non-empty, the
 * common shape for optional claims), the AXID's claim of that name stays and policy's {@code claim: role} reads it as
 * the user's role.
 *
 * <p>Attacker: whoever controls an AXID's custom claims for a run of the user (the agent platform / AXID issuer, or an
 * agent holding a replayed AXID of a run whose claims carry a role: AXIDs are bearer tokens). The user (bob) needs only
 * his own valid token without a role claim.
 *
 * <p>Suggested fix: on a route that validates OAuth tokens, drop the AXID's non-identity claims (or keep them under an
 * {@code axid.} prefix); the token's claim set is the whole of what the AS says about the user.
 */
class AxidClaimWhereTokenSilentReviewAMTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: salaries-need-the-role
                condition: {all: [{tool: salaries}, {not: {claim: {name: role, eq: payroll-admin}}}]}
                action: deny
                message: only payroll admins read salaries
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private MockOAuth2Server authorizationServer;
    private RecordingUpstream upstream;
    private TestHttp http;
    private RunningGateway gateway;
    private OctetKeyPair key;
    private String resource;
    private String opaque;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        int port = OAuthRoutes.freePort();
        resource = "http://127.0.0.1:" + port + "/mcp";
        opaque = "http://127.0.0.1:" + port + "/opaque";
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: %d}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "https://auth.test", audience: tollgate}}
                routes:
                %s
                  - name: opaque
                    path: /opaque
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "%s"
                      issuer: "%s"
                      required-scopes: ["tools:read"]
                      introspection: {url: "%s/introspect", client-id: tollgate, client-secret: gateway-secret}
                """.formatted(port, dir.resolve("policies"), dir.resolve("jwks.json"),
                OAuthRoutes.toolsRoute(upstream.url("/mcp"), resource, authorizationServer).stripTrailing(),
                upstream.url("/mcp"), opaque, OAuthRoutes.issuer(authorizationServer), OAuthRoutes.issuer(authorizationServer)));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        authorizationServer.shutdown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anAxidRoleDoesNotFillTheRoleTheAuthorizationServerDidNotGive() throws Exception {
        TestHttp.Reply admin = callSalaries(oauth("carol", Map.of("role", "payroll-admin")), axid("carol", Map.of()));
        assertThat(admin.body().toString()).as("control: a payroll admin per the token is allowed").doesNotContain("\"error\"");
        TestHttp.Reply noRole = callSalaries(oauth("bob", Map.of()), axid("bob", Map.of()));
        assertThat(noRole.reason()).as("control: bob, no role per the token, is denied").isEqualTo("policy_denied");
        TestHttp.Reply viewer = callSalaries(oauth("bob", Map.of("role", "viewer")), axid("bob", Map.of("role", "payroll-admin")));
        assertThat(viewer.reason()).as("control (review W): the token's role is read over the AXID's").isEqualTo("policy_denied");
        int before = upstream.received().size();

        TestHttp.Reply withAxidRole = callSalaries(oauth("bob", Map.of()), axid("bob", Map.of("role", "payroll-admin")));

        assertThat(withAxidRole.reason()).as("the authorization server gave bob no role; the AXID's role is not the AS's: "
                + withAxidRole.body()).isEqualTo("policy_denied");
        assertThat(upstream.received()).as("bob's salaries call must not reach the upstream").hasSize(before);
    }

    /**
     * Review AM, finding 3 (medium: on an introspection route review W's fix never applies). OAuthIntrospection keeps
     * only {@code username} of the answer's members, so whatever the AS says about the user's role, the caller's claims
     * are the AXID's with {@code username} over them: the AXID's {@code role} is read as the user's. The same token and
     * AXID are denied on the JWT route: two routes of one gateway read the same fact from different sources.
     */
    @Test
    void onAnIntrospectionRouteTheAxidRoleDoesNotReplaceTheUsersRole() throws Exception {
        TestHttp.Reply jwtRoute = callSalaries("/mcp", oauth(resource, "bob", Map.of("role", "viewer")), axid("bob", Map.of("role", "payroll-admin")));
        assertThat(jwtRoute.reason()).as("control: on the JWT route the token's role (viewer) is read").isEqualTo("policy_denied");
        TestHttp.Reply plain = callSalaries("/opaque", oauth(opaque, "bob", Map.of("role", "viewer")), axid("bob", Map.of()));
        assertThat(plain.reason()).as("control: the introspection route works and denies bob: " + plain.body()).isEqualTo("policy_denied");
        int before = upstream.received().size();

        TestHttp.Reply withAxidRole = callSalaries("/opaque", oauth(opaque, "bob", Map.of("role", "viewer")), axid("bob", Map.of("role", "payroll-admin")));

        assertThat(withAxidRole.reason()).as("the same token and AXID are denied on the JWT route; the AXID's role is not "
                + "the authorization server's: " + withAxidRole.body()).isEqualTo("policy_denied");
        assertThat(upstream.received()).as("bob's salaries call must not reach the upstream").hasSize(before);
    }

    private TestHttp.Reply callSalaries(String bearer, String axid) throws Exception {
        return callSalaries("/mcp", bearer, axid);
    }

    private TestHttp.Reply callSalaries(String path, String bearer, String axid) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), path).putHeader("Authorization", "Bearer " + bearer).putHeader("X-Waxell-AXID", axid),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"salaries\",\"arguments\":{}}}"));
    }

    private String oauth(String subject, Map<String, Object> extra) {
        return oauth(resource, subject, extra);
    }

    private String oauth(String audience, String subject, Map<String, Object> extra) {
        Map<String, Object> claims = new HashMap<>(Map.of("scope", "tools:read", "client_id", "agent-client"));
        claims.putAll(extra);
        return authorizationServer.issueToken("as", "agent-client", new DefaultOAuth2TokenCallback("as", subject, "JWT", List.of(audience),
                claims, 300)).serialize();
    }

    private String axid(String subUser, Map<String, Object> extra) throws Exception {
        Map<String, Object> claims = new HashMap<>(Map.of("tenant", "acme", "agent", "planner",
                "sub", subUser, "run", "run-" + subUser, "parent", "root", "tree", "tree-" + subUser));
        claims.putAll(extra);
        return DevAxid.mint(key, "https://auth.test", "tollgate", Duration.ofMinutes(4), claims, List.of());
    }
}
