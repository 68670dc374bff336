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
 */
class SubUsersShareOwnerReviewVTest {

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
        Files.writeString(dir.resolve("policies/allow-all.yaml"), RunningGateway.ALLOW_ALL);
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (11 + i);
        }
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "allow-all",
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
}
