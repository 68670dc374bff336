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
 * Review V, finding 4 (low-medium): on a route that authenticates the user with OAuth and the run with an AXID, the two
 * may name different people and the gateway never compares them: policy's {@code sub} is the AXID's sub-user, and the
 * OAuth subject the route authenticated is only the claim {@code oauth_sub}. A caller authenticated as bob is decided
 * as alice.
 *
 * <p>Input: route with {@code oauth} (issuer = the test AS) and {@code identity.axid} (required). Policy: tool
 * {@code payroll} is denied unless {@code claim: {name: sub, eq: alice}}. Request: {@code Authorization: Bearer <token
 * sub=bob>} and {@code X-Waxell-AXID: <tenant acme, agent planner, sub alice>} (an AXID of alice's run: AXIDs are bearer
 * tokens, handed to every upstream with {@code forward: pass}, replayable for 5 minutes unless single-use), calling
 * {@code payroll}.
 *
 * <p>Gateway's reading: OAuthStage keeps {@code i.subUser()} when the AXID named one ("an OAuth subject fills sub when no
 * AXID named a sub-user"), so policy sees sub=alice and allows; the call is forwarded (with the upstream credential
 * obtained for bob's token when {@code upstream-grant: token-exchange} is set: the upstream then acts for bob on a call
 * the gateway decided for alice). The other reading: the route requires OAuth precisely so that the user is the one the
 * authorization server authenticated (bob); with the AXID alone the route would not need OAuth.
 *
 * <p>Suggested fix: when both are present and the AXID names a sub-user that differs from the OAuth subject, refuse the
 * call (401 {@code axid_binding_mismatch} or a new reason); or make {@code sub} the authenticated OAuth subject and
 * expose the AXID's as a separate claim, so a rule on {@code sub} cannot be satisfied by a replayed AXID.
 *
 * <p>Also, in this class for its OAuth-and-AXID route:
 * Review W, finding 4 (low: Review V's "AXID claims cannot pose as OAuth facts" fixed for four names only): OAuthStage
 * builds the caller's claims as the bearer token's claims with every AXID claim written over them
 * ({@code claims = principal.claims(); claims.putAll(axidClaims)}), and AxidVerifier now drops only {@code scope},
 * {@code oauth_sub}, {@code oauth_iss} and {@code client_id}. Any other claim the authorization server put in the token
 * (a role, groups, a department) is replaced by an AXID claim of the same name, and policy's {@code claim:} reads the
 * AXID's.
 *
 * <p>Exact input: route with {@code oauth} and {@code identity.axid}; policy denies tool {@code payroll} unless
 * {@code claim: {name: role, eq: payroll-admin}}. Bob's access token (from the route's authorization server) says
 * {@code role: viewer}; his run's AXID (tenant acme, agent planner, sub bob) carries {@code role: payroll-admin}.
 *
 * <p>Gateway's reading: {@code role} = payroll-admin, allowed. The route's reading: it validates bearer tokens so that
 * the authorization server vouches for the user, and that server says bob is a viewer; the AXID issuer (the agent
 * platform) is not the authority for the user's role (the same argument Review V made for {@code scope}).
 *
 * <p>Suggested fix: on a route that validates OAuth tokens, never let an AXID claim replace a token claim: keep the two
 * apart (AXID claims under their own names, or {@code principal.claims()} written last), or refuse a call whose AXID
 * and token disagree on a claim both carry.
 */
class AxidBesideOAuthReviewTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: payroll-is-alices
                condition: {all: [{tool: payroll}, {not: {claim: {name: sub, eq: alice}}}]}
                action: deny
                message: only alice reads payroll
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
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: %d}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "https://auth.test", audience: tollgate}}
                routes:
                %s
                """.formatted(port, dir.resolve("policies"), dir.resolve("jwks.json"), OAuthRoutes.toolsRoute(upstream.url("/mcp"), resource, authorizationServer).stripTrailing()));
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
    void aCallerAuthenticatedAsBobIsNotDecidedAsAlice() throws Exception {
        TestHttp.Reply asAlice = call(oauth("alice"), axid("alice"));
        assertThat(asAlice.status()).as("alice herself is allowed: " + asAlice.body()).isEqualTo(200);
        TestHttp.Reply bobAlone = call(oauth("bob"), axid("bob"));
        assertThat(bobAlone.reason()).as("bob with his own run is denied").isEqualTo("policy_denied");
        int before = upstream.received().size();

        TestHttp.Reply bobWithAlicesRun = call(oauth("bob"), axid("alice"));

        assertThat(bobWithAlicesRun.status()).as("the user the route authenticated is bob: " + bobWithAlicesRun.body()).isNotEqualTo(200);
        assertThat(upstream.received()).as("bob's payroll call must not reach the upstream").hasSize(before);
    }

    private TestHttp.Reply call(String bearer, String axid) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Authorization", "Bearer " + bearer).putHeader("X-Waxell-AXID", axid),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"payroll\",\"arguments\":{}}}"));
    }

    private String oauth(String subject) {
        return authorizationServer.issueToken("as", "agent-client", new DefaultOAuth2TokenCallback("as", subject, "JWT", List.of(resource),
                Map.of("scope", "tools:read", "client_id", "agent-client"), 300)).serialize();
    }

    private String axid(String subUser) throws Exception {
        return DevAxid.mint(key, "https://auth.test", "tollgate", Duration.ofMinutes(4), Map.of("tenant", "acme", "agent", "planner",
                "sub", subUser, "run", "run-" + subUser, "parent", "root", "tree", "tree-" + subUser), List.of());
    }

    @Test
    void anAxidClaimDoesNotReplaceTheRoleTheAuthorizationServerGaveTheUser() throws Exception {
        TestHttp.Reply admin = callSalaries(oauthWithRole("carol", "payroll-admin"), axidWith("carol", Map.of()));
        assertThat(admin.body().toString()).as("control: a payroll admin per the token is allowed").doesNotContain("\"error\"");
        TestHttp.Reply viewer = callSalaries(oauthWithRole("bob", "viewer"), axidWith("bob", Map.of()));
        assertThat(viewer.reason()).as("control: bob, a viewer per the token, is denied").isEqualTo("policy_denied");
        int before = upstream.received().size();

        TestHttp.Reply withAxidRole = callSalaries(oauthWithRole("bob", "viewer"), axidWith("bob", Map.of("role", "payroll-admin")));

        assertThat(withAxidRole.reason()).as("the token says viewer: " + withAxidRole.body()).isEqualTo("policy_denied");
        assertThat(upstream.received()).as("bob's salaries call must not reach the upstream").hasSize(before);
    }

    private TestHttp.Reply callSalaries(String bearer, String axid) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Authorization", "Bearer " + bearer).putHeader("X-Waxell-AXID", axid),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"salaries\",\"arguments\":{}}}"));
    }

    private String oauthWithRole(String subject, String role) {
        return authorizationServer.issueToken("as", "agent-client", new DefaultOAuth2TokenCallback("as", subject, "JWT", List.of(resource),
                Map.of("scope", "tools:read", "client_id", "agent-client", "role", role), 300)).serialize();
    }

    private String axidWith(String subUser, Map<String, Object> extra) throws Exception {
        Map<String, Object> claims = new java.util.HashMap<>(Map.of("tenant", "acme", "agent", "planner",
                "sub", subUser, "run", "run-" + subUser, "parent", "root", "tree", "tree-" + subUser));
        claims.putAll(extra);
        return DevAxid.mint(key, "https://auth.test", "tollgate", Duration.ofMinutes(4), claims, List.of());
    }
}
