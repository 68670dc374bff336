package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review Z, finding (medium): the caller chooses how long its running task holds its concurrency slot. RunningTasks holds
 * a task's slot for the ttl in the CreateTaskResult ({@code min(ttl, 1 h)}, at least 1 ns), and the ttl is the one the
 * client asked for in {@code params.task.ttl}: the official TypeScript SDK's InMemoryTaskStore (and the SDK's
 * {@code taskRequestedTtl} in registerToolTask) gives the task exactly the requested ttl. But an MCP task's ttl is how
 * long the server <em>retains</em> the task, not how long it runs: with {@code ttl: 0} the SDK schedules no cleanup at
 * all (the task stays, pollable, and runs to the end), and the gateway gives the slot back after 1 ns. So
 * {@code "task": {"ttl": 0}} (or 1) undoes the review Y task-concurrency fix (dafee15): one caller limited to 1 runs
 * as many tools at once as it asks for.
 *
 * <p>Input: route {@code max-concurrent-calls: 2}, {@code max-concurrent-calls-per-caller: 1}; the real TS SDK server
 * (ts-server.mjs, TASKS=1) whose {@code job} tool runs 15 s; one caller sends five {@code tools/call job} with
 * {@code "task": {"ttl": 0}}, 1.5 s apart (so the first task's hold has expired and been swept).
 *
 * <p>Gateway accounted: at most 1 task running for the caller at any time. What happened: 5 jobs running at once on
 * the server for one caller (2.5x the route's limit). The control with {@code ttl: 60000} gets 1 task, the others 429.
 *
 * <p>Suggested fix: do not bound a task's hold by the ttl the caller requested: hold until the task is seen to end, or
 * for a fixed per-route maximum (e.g. the route's response-timeout or a {@code task-hold} setting), whichever is first;
 * a task found gone ({@code tasks/get} error "not found") can then end the hold. Alternatively rewrite
 * {@code params.task.ttl} up to a floor before forwarding.
 */
class TaskTtlConcurrencyReviewZTest {

    private static final Pattern EXECUTED = Pattern.compile("EXECUTED \\{\"tool\":\"job\"");
    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        server = NodeServer.start("ts-server.mjs", Map.of("PORT", "0", "TASKS", "1", "JOB_MS", "15000"));
        vertx = Vertx.vertx();
        gateway = RunningGateway.mcp(vertx, server.url("/mcp"), "max-concurrent-calls: 2\nmax-concurrent-calls-per-caller: 1", null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private int jobsStarted(long ttl) throws Exception {
        int created = 0;
        for (int i = 1; i <= 5; i++) {
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25"),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"job\","
                            + "\"arguments\":{\"name\":\"j" + i + "\"},\"task\":{\"ttl\":" + ttl + "}}}"));
            if (reply.status() == 200 && reply.body().toString().contains("\"taskId\"")) {
                created++;
            }
            Thread.sleep(1500);
        }
        Matcher m = EXECUTED.matcher(server.output());
        int started = 0;
        while (m.find()) {
            started++;
        }
        assertThat(started).as("jobs the server started").isEqualTo(created);
        return started; // all within 7.5 s, each runs 15 s: all running at once
    }

    /** Control (passes): a task asked for with a real ttl holds the caller's slot; the next four are refused. */
    @Test
    void controlATaskWithARealTtlHoldsTheSlot() throws Exception {
        assertThat(jobsStarted(60_000)).isEqualTo(1);
    }

    @Test
    void aTaskAskedForWithTtlZeroStillHoldsItsCallersSlot() throws Exception {
        assertThat(jobsStarted(0)).as("15 s jobs running at once for one caller limited to 1 (route limit 2), task.ttl 0")
                .isLessThanOrEqualTo(1);
    }
}
