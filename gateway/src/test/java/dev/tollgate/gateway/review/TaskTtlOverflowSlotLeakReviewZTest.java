package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Z, finding (high): one request locks a route for every caller until restart. RunningTasks.started computes a
 * task's hold as {@code Math.min(LONGEST_HOLD.toNanos(), Duration.ofMillis(ttlMillis).toNanos())}; a ttl above about
 * 9.2e12 ms (292 years) makes {@code toNanos()} throw ArithmeticException. The ttl is the server's, and the official
 * TypeScript SDK gives a task the ttl the client asked for ({@code params.task.ttl}, taskRequestedTtl). The throw
 * happens in ConcurrencyStage's completion action, after {@code calls.holdTask(...)} was evaluated as the argument (the
 * task's count is taken and its Admitted lost) and before {@code exchange.releaseSlot(admitted::release)} of the same
 * lambda (the exchange's own slot is never given back). Exchange.runCompletionActions logs the exception and goes on.
 * Both counters stay up for ever: the caller is refused every {@code tools/call} (429), and with the route's calls in
 * flight and tasks now summed against {@code max-concurrent-calls}, every other caller too.
 *
 * <p>Input: route {@code max-concurrent-calls: 2}, {@code max-concurrent-calls-per-caller: 1}; the real TS SDK server
 * (ts-server.mjs, TASKS=1, job 100 ms). Tenant acme sends one {@code tools/call job} with
 * {@code "task": {"ttl": 10000000000000}}; 1 s later (the job long done) tenant globex sends {@code tools/call echo}.
 *
 * <p>Gateway accounted: 1 call in flight and 1 task running on the route, for ever (gauges never return to 0). What
 * happened: nothing runs; globex's call, and every later tools/call on the route, is refused 429.
 *
 * <p>Suggested fix: compute the hold without overflow ({@code ttlMillis >= LONGEST_HOLD.toMillis() ? LONGEST_HOLD :
 * Duration.ofMillis(ttlMillis)}), validate the ttl in TaskLifecycle.created, and in handOverToTasks take the task's
 * hold only inside RunningTasks after the entry is stored, and release the exchange's slot in a finally block (or as a
 * completion action of its own) so no failure of the hand-over can keep it.
 */
class TaskTtlOverflowSlotLeakReviewZTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private TestHttp http;
    private TenantTokens tokens;

    @BeforeEach
    void start() throws Exception {
        server = NodeServer.start("ts-server.mjs", Map.of("PORT", "0", "TASKS", "1", "JOB_MS", "100"));
        vertx = Vertx.vertx();
        tokens = TenantTokens.in(dir);
        gateway = RunningGateway.start(vertx, tokens.allowAllMcpYaml(dir, "tasks", server.url("/mcp"))
                .replace("policy: p}", "policy: p, max-concurrent-calls: 2, max-concurrent-calls-per-caller: 1}"));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply call(String tenant, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25")
                .putHeader("X-Waxell-AXID", tokens.token(tenant, "a")), Buffer.buffer(body));
    }

    private static String echo(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}}}";
    }

    @Test
    void aTaskWithAHugeTtlLeaksNoSlot() throws Exception {
        assertThat(call("globex", echo(1)).status()).as("control: globex's call runs").isEqualTo(200);

        TestHttp.Reply created = call("acme", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"job\","
                + "\"arguments\":{\"name\":\"x\"},\"task\":{\"ttl\":10000000000000}}}");
        assertThat(created.body().toString()).as("control: the task was created").contains("\"taskId\"");
        Thread.sleep(1000);

        var calls = gateway.gateway().services().concurrentCalls();
        TestHttp.Reply other = call("globex", echo(3));
        assertThat(other.status()).as("another tenant's call after acme's task ended: %s", other.body()).isEqualTo(200);
        // The gateway counts the task until it sees it end or an hour passes (it cannot know the job is done before it is
        // told; here the SDK even dropped the task at once, Node's timer overflowing on the ttl, so no poll can tell it).
        // Review Z's test asserted 0 here; under the hold-until-seen design of the fix what must hold is that the exchange's
        // own slot came back and the task takes one slot, not the route's for ever.
        // The exchange gives its slot back when it completes, just after its response's last byte: read as that is done.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(calls.inFlight("tasks")).as("calls in flight on the route, nothing running").isZero());
        assertThat(calls.tasksRunning("tasks")).as("acme's task: one slot, given back when seen to end or after an hour").isEqualTo(1);
    }
}
