package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix AV: AGT's {@code tool_call_count} is the gateway's count of the run's earlier tool calls, as AGT's hosts count a
 * session's calls (ExecutionContext.call_count, raised after each call that ran: the Nth call sees N-1). AGT's own
 * policy templates cap a session with {@code {field: tool_call_count, operator: gt, value: N}}; before the fix the
 * gateway read the caller's argument of that name, so the cap never held for a caller that did not send one, and a
 * caller sending {@code tool_call_count: 99} was denied on its first call.
 *
 * <p>A real gateway in front of the official TypeScript SDK server (ts-server.mjs), callers with AXIDs naming a run.
 */
class AgtToolCallCountFixAVTest {

    /** AGT's general-saas template's circuit breaker at 2, and a deny on one tool (to see denied calls are not counted). */
    private static final String POLICY = """
            version: "1.0"
            name: agt-count
            defaults: {action: allow}
            rules:
              - name: asi08-session-tool-call-limit
                condition: {field: tool_call_count, operator: gt, value: 2}
                action: deny
                priority: 85
                message: "ASI-08: Session tool call limit exceeded"
              - name: no-env
                condition: {field: tool_name, operator: eq, value: get-env}
                action: deny
                priority: 90
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
        Files.writeString(policies.resolve("agt-count.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "%s", policy: agt-count}
                """.formatted(policies, tokens.identityYaml().strip(), server.url("/mcp")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply call(String tenant, String run, String tool, String arguments) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":"
                + arguments + "}}";
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25")
                .putHeader("X-Waxell-AXID", tokens.token(Map.of("tenant", tenant, "agent", "planner", "run", run))), Buffer.buffer(body));
    }

    private TestHttp.Reply echo(String tenant, String run, String message) throws Exception {
        return call(tenant, run, "echo", "{\"message\":\"" + message + "\"}");
    }

    private long executed(String message) {
        return server.output().lines().filter(l -> l.startsWith("EXECUTED") && l.contains("\"message\":\"" + message + "\"")).count();
    }

    private static void assertRan(TestHttp.Reply reply) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).as("answered by the server").doesNotContain("\"error\"").contains("echo ran");
    }

    private static void assertDeniedBy(TestHttp.Reply reply, String rule) {
        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(reply.body().toString()).contains(rule);
    }

    /** The reproducer: calls 1 to 3 see 0, 1, 2 and run; the fourth sees 3 > 2 and is denied, never reaching the server. */
    @Test
    void theFourthToolCallOfARunIsDeniedByACapOfTwo() throws Exception {
        for (int i = 1; i <= 3; i++) {
            assertRan(echo("acme", "run-1", "acme-" + i));
        }
        assertDeniedBy(echo("acme", "run-1", "acme-4"), "asi08-session-tool-call-limit");
        assertThat(executed("acme-4")).as("the denied call never ran").isZero();
        assertThat(executed("acme-1") + executed("acme-2") + executed("acme-3")).isEqualTo(3);
    }

    /** The count is the gateway's: an argument of that name neither lowers it nor, on a first call, trips the cap. */
    @Test
    void theCallerCannotSupplyTheCount() throws Exception {
        assertRan(call("acme", "run-7", "echo", "{\"message\":\"high-1\",\"tool_call_count\":99}"));
        for (int i = 2; i <= 3; i++) {
            assertRan(echo("acme", "run-7", "high-" + i));
        }
        assertDeniedBy(call("acme", "run-7", "echo", "{\"message\":\"low-4\",\"tool_call_count\":0}"), "asi08-session-tool-call-limit");
        assertThat(executed("low-4")).isZero();
    }

    /** Each run counts its own calls: a new run starts at 0, and another tenant's run of the same name is its own. */
    @Test
    void eachRunOfEachCallerCountsApart() throws Exception {
        for (int i = 1; i <= 3; i++) {
            assertRan(echo("acme", "run-2", "a" + i));
        }
        assertDeniedBy(echo("acme", "run-2", "a4"), "asi08-session-tool-call-limit");
        assertRan(echo("globex", "run-2", "g1"));
        assertRan(echo("acme", "run-3", "b1"));
    }

    /** As AGT's hosts count only calls that ran, a denied call takes no place in the count. */
    @Test
    void deniedCallsAreNotCounted() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertDeniedBy(call("acme", "run-4", "get-env", "{}"), "no-env");
        }
        for (int i = 1; i <= 3; i++) {
            assertRan(echo("acme", "run-4", "c" + i));
        }
        assertDeniedBy(echo("acme", "run-4", "c4"), "asi08-session-tool-call-limit");
    }
}
