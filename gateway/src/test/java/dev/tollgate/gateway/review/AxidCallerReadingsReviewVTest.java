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
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review V, finding 3 (medium; high where one agent serves several end users): the AXID's sub-user is not part of who
 * owns a session or a task. Two runs of the same tenant's agent acting for two different users ({@code sub} alice and
 * {@code sub} bob) are one owner: bob's run uses alice's MCP session and reads, cancels or joins alice's tasks (and on
 * A2A routes lists them with ListTasks and joins her contexts).
 *
 * <p>Input: AXIDs with every default required claim, tenant {@code acme}, agent {@code planner}, differing only in
 * {@code sub} (alice / bob), run, parent and tree. Alice's run opens a session and creates task {@code job-1}; bob's run
 * sends {@code tasks/get {taskId: job-1}} in its own session, and {@code ping} with alice's {@code Mcp-Session-Id}.
 *
 * <p>Gateway's reading: {@code CallerKey.of} is {@code axid:acme/planner} for both, and
 * {@code SealedSessions.associatedData} holds route, SPIFFE ID, tenant and agent only: bob's calls are forwarded as the
 * owner's. The other reading: the AXID names the sub-user as the person the run acts for, policy reads it as
 * {@code claim: sub}, and on an OAuth route the gateway keeps two subjects' tasks and sessions apart
 * (OAuthCallerBindingTest): the same two users are separated when they arrive with bearer tokens and merged when they
 * arrive with AXIDs. If sharing across sub-users is intended, CallerKey's and SealedSessions' documentation should say so
 * and the architecture page should warn that task ids and ListTasks are shared by every user of an agent.
 *
 * <p>Suggested fix: add the sub-user (escaped with {@code CallerKey.part}) to the AXID owner key,
 * {@code "axid:" + part(tenant) + '/' + part(agent) + '/' + part(sub)}, and to the session's associated data.
 *
 * <p>Also (finding 6, in this class for its AXID-gated gateway):
 * (low) AXID claims and the facts the OAuth stage establishes share one namespace
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
class AxidCallerReadingsReviewVTest {

    /** Allows all but {@code admin}, which needs an OAuth scope: the route validates no OAuth token. */
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
        upstream.answerAsTaskServer("upstream-session");
        http = new TestHttp(vertx);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (11 + i);
        }
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"https://auth.test\", audience: tollgate}}\n"
                        + "sessions:\n  max-age: 1h\n  keys:\n    - {id: k, secret: \"" + Base64.getEncoder().encodeToString(secret) + "\"}\n"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void oneSubUsersRunDoesNotReadAnotherSubUsersTask() throws Exception {
        String aliceSession = initialize(token("alice"));
        String bobSession = initialize(token("bob"));
        TestHttp.Reply created = send(token("alice"), aliceSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(created.json().at("/result/task/taskId").asText()).as(created.body().toString()).isEqualTo("job-1");
        int before = upstream.received().size();

        TestHttp.Reply borrowed = send(token("bob"), bobSession, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(borrowed.status()).as("bob's run must not read alice's task: " + borrowed.body()).isEqualTo(404);
        assertThat(borrowed.reason()).isEqualTo("task_not_found");
        assertThat(upstream.received()).hasSize(before);
    }

    @Test
    void oneSubUsersRunDoesNotUseAnotherSubUsersSession() throws Exception {
        String aliceSession = initialize(token("alice"));
        int before = upstream.received().size();

        TestHttp.Reply borrowed = send(token("bob"), aliceSession, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");

        assertThat(borrowed.status()).as("bob's run must not use alice's session: " + borrowed.body()).isEqualTo(404);
        assertThat(upstream.received()).hasSize(before);
    }

    private String token(String subUser) throws Exception {
        return DevAxid.mint(key, "https://auth.test", "tollgate", Duration.ofMinutes(4), Map.of("tenant", "acme", "agent", "planner",
                "sub", subUser, "run", "run-" + subUser, "parent", "root-" + subUser, "tree", "tree-" + subUser), List.of());
    }

    private String initialize(String token) throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.headers().get("Mcp-Session-Id");
    }

    private TestHttp.Reply send(String token, String session, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token).putHeader("Mcp-Session-Id", session),
                Buffer.buffer(body));
    }

    @Test
    void anAxidClaimNamedScopeIsNotAnOAuthScope() throws Exception {
        TestHttp.Reply plain = callAdmin(axid(Map.of()));
        assertThat(plain.reason()).as("without the scope the rule denies").isEqualTo("policy_denied");

        TestHttp.Reply withClaim = callAdmin(axid(Map.of("scope", "admin:write")));

        assertThat(withClaim.reason()).as("no OAuth token was validated on this route: " + withClaim.body()).isEqualTo("policy_denied");
        assertThat(upstream.received()).as("nothing forwarded").isEmpty();
    }

    private TestHttp.Reply callAdmin(String axid) throws Exception {
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
