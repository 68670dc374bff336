package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.TestPorts;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AGT's {@code tool_call_count} counts the calls that ran (AGT's hosts raise it after a call executed). A call held for
 * approval keeps its place while it waits (it may yet run), and gives it back when the approval ends without letting it
 * run: denied by an approver here. Before, a refused held call stayed counted, so a run's cap refused its later calls
 * one early for every call a person turned down.
 *
 * <p>A real gateway in front of the official TypeScript SDK server (ts-server.mjs), callers with AXIDs naming a run.
 */
class AgtToolCallCountHeldCallsTest {

    private static final String TOKEN = "held-count-admin-token-0123456789";

    /** A cap of two calls per run, and every transfer needs a person. */
    private static final String POLICY = """
            version: "1.0"
            name: agt-held
            defaults: {action: allow}
            rules:
              - name: session-tool-call-limit
                condition: {field: tool_call_count, operator: gt, value: 1}
                action: deny
                priority: 85
              - name: transfers-need-a-person
                condition: {field: tool_name, operator: eq, value: transfer}
                action: require_approval
                priority: 80
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private TestHttp http;
    private TenantTokens tokens;

    @BeforeEach
    void start() throws Exception {
        server = NodeServer.start("ts-server.mjs", Map.of("PORT", "0"));
        vertx = Vertx.vertx();
        tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("agt-held.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                %s
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "%s", policy: agt-held}
                  - {name: down, path: /down, protocol: mcp, upstream: "http://127.0.0.1:%d/mcp", policy: agt-held}
                """.formatted(TOKEN, policies, tokens.identityYaml().strip(), server.url("/mcp"), TestPorts.unclaimed()));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply call(String run, String tool, String arguments) throws Exception {
        return call("/mcp", run, tool, arguments);
    }

    private TestHttp.Reply call(String path, String run, String tool, String arguments) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":"
                + arguments + "}}";
        return http.send(TestHttp.mcpPost(gateway.port(), path).putHeader("MCP-Protocol-Version", "2025-11-25")
                .putHeader("X-Waxell-AXID", tokens.token(Map.of("tenant", "acme", "agent", "planner", "run", run))), Buffer.buffer(body));
    }

    private TestHttp.Reply admin(HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.gateway().adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN).putHeader("Content-Type", "application/json"),
                body == null ? Buffer.buffer() : Buffer.buffer(body));
    }

    private long executed(String message) {
        return server.output().lines().filter(l -> l.startsWith("EXECUTED") && l.contains("\"message\":\"" + message + "\"")).count();
    }

    private static void assertRan(TestHttp.Reply reply) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).as("answered by the server").doesNotContain("\"error\"").contains("echo ran");
    }

    /** Denies the one pending approval, and returns the held call's reply. */
    private TestHttp.Reply denyThePendingCall(CompletableFuture<TestHttp.Reply> held) throws Exception {
        JsonNode pending = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> admin(HttpMethod.GET, "/approvals", null).json().path("pending"), list -> list.size() == 1).get(0);
        TestHttp.Reply denied = admin(HttpMethod.POST, "/approvals/" + pending.path("id").asText(), "{\"decision\":\"deny\",\"by\":\"carol\"}");
        assertThat(denied.status()).as(denied.body().toString()).isLessThan(300);
        return held.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHeldCallAPersonRefusedGivesItsPlaceBack() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return call("run-1", "transfer", "{\"to\":7,\"amount\":100}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        TestHttp.Reply refused = denyThePendingCall(held);
        assertThat(refused.reason()).as(refused.body().toString()).isEqualTo(RejectReason.APPROVAL_DENIED.code());
        // The run's two calls: the refused transfer ran nothing, so both echoes run (counts 0 and 1); the third is the cap's.
        assertRan(call("run-1", "echo", "{\"message\":\"after-1\"}"));
        assertRan(call("run-1", "echo", "{\"message\":\"after-2\"}"));
        TestHttp.Reply third = call("run-1", "echo", "{\"message\":\"after-3\"}");
        assertThat(third.reason()).as(third.body().toString()).isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(third.body().toString()).contains("session-tool-call-limit");
        assertThat(executed("after-3")).isZero();
    }

    @Test
    void aHeldCallStillPendingHoldsItsPlace() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return call("run-2", "transfer", "{\"to\":7,\"amount\":100}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> admin(HttpMethod.GET, "/approvals", null).json().path("pending").size() == 1);
        // While it waits it may yet run: the run has one call left, not two.
        assertRan(call("run-2", "echo", "{\"message\":\"while-1\"}"));
        TestHttp.Reply second = call("run-2", "echo", "{\"message\":\"while-2\"}");
        assertThat(second.reason()).as(second.body().toString()).isEqualTo(RejectReason.POLICY_DENIED.code());
        denyThePendingCall(held);
    }

    @Test
    void aCallNoInstanceTookGivesItsPlaceBack() throws Exception {
        // The run's first call goes to a route whose only instance refuses connections: let through, it never reached a
        // tool. The count is the run's (its AXID run), across routes.
        TestHttp.Reply unreachable = call("/down", "run-4", "echo", "{\"message\":\"nowhere\"}");
        assertThat(unreachable.reason()).as(unreachable.body().toString()).isEqualTo(RejectReason.UPSTREAM_UNAVAILABLE.code());
        assertRan(call("run-4", "echo", "{\"message\":\"reached-1\"}"));
        assertRan(call("run-4", "echo", "{\"message\":\"reached-2\"}"));
        TestHttp.Reply third = call("run-4", "echo", "{\"message\":\"reached-3\"}");
        assertThat(third.reason()).as(third.body().toString()).isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(executed("reached-3")).isZero();
    }
}
