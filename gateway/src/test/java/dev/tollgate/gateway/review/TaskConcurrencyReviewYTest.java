package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review Y, finding (low/medium): a task-augmented {@code tools/call} (MCP 2025-11-25 {@code params.task}) holds its
 * concurrency slot only until the {@code CreateTaskResult} comes back; the tool then runs on at the upstream with no slot
 * at all. A caller limited to {@code max-concurrent-calls-per-caller: 1} (route {@code max-concurrent-calls: 2}) starts
 * any number of tool runs at once by asking for tasks: the limit meant to stop "one caller holding streams open" from
 * starving the others is not a limit on work held open through tasks.
 *
 * <p>Input: five {@code tools/call crawl} with {@code "task": {"ttl": 60000}}, one after the other; the upstream answers
 * each at once with a working task and runs it for 3 s.
 *
 * <p>Gateway accounted: at most 1 call in flight. What happened: 5 tool runs at once for one caller (2.5x the route's
 * limit).
 *
 * <p>Suggested fix: count a task the gateway saw created (TaskOrigins) against its caller's and route's limits until it
 * is seen in a terminal state (tasks/get, tasks/result answers, notifications/tasks/status) or its ttl passes; or refuse
 * {@code params.task} on routes with concurrency limits lower than the defaults, and say so in the README.
 */
class TaskConcurrencyReviewYTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            JsonNode body;
            try {
                body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            String id = body.path("id").toString();
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            vertx.setTimer(3000, t -> running.decrementAndGet());
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"result\":{\"task\":{\"taskId\":\"task-" + id + "\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\","
                    + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":1000}}}");
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "max-concurrent-calls: 2\nmax-concurrent-calls-per-caller: 1", null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void runningTasksCountAgainstTheCallersConcurrencyLimit() throws Exception {
        int created = 0;
        for (int i = 1; i <= 5; i++) {
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25"),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{},"
                            + "\"task\":{\"ttl\":60000}}}"));
            if (reply.status() == 200 && reply.json().at("/result/task/taskId").isTextual()) {
                created++;
            }
        }

        assertThat(created).as("control: tasks created").isGreaterThan(0);
        assertThat(mostRunning.get()).as("tool runs at once for one caller limited to 1 (route limit 2)").isLessThanOrEqualTo(1);
    }
}
