package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review Z, finding (medium): the two review Y concurrency fixes do not compose. A task-augmented {@code tools/call}
 * whose client hangs up after it was forwarded keeps its slot only until the upstream's answer ends
 * (UpstreamCall.outliveTheClient), and that answer, the CreateTaskResult, is read and dropped without McpResponseFilter:
 * no TaskLifecycle.created is noted, so ConcurrencyStage.handOverToTasks hands the slot to no task. The task then runs
 * on the upstream holding no slot at all. A caller limited to 1 starts a task, hangs up, and starts the next as soon as
 * the CreateTaskResult has passed.
 *
 * <p>Input: route {@code max-concurrent-calls: 2}, {@code max-concurrent-calls-per-caller: 1}; the upstream answers each
 * task-augmented {@code tools/call crawl} after 200 ms with a working task that runs 5 s. The caller sends
 * {@code tools/call crawl} with {@code "task": {"ttl": 60000}} on a new connection, closes it once the call is
 * forwarded, waits 400 ms; five times. (Waiting for the answer instead, the caller gets one task and four 429s:
 * TaskConcurrencyReviewYTest.)
 *
 * <p>Gateway accounted: at most 1 call in flight and no task running. What happened: 5 tool runs at once for the caller.
 *
 * <p>Suggested fix: read an abandoned call's dropped answer with the same task-lifecycle reader (noteTaskLifecycle on
 * each response, bounded by the body limit) before the slot is released, so a task it creates takes the slot over; or
 * keep an abandoned task-augmented call's slot for the task's hold (RunningTasks) when its answer cannot be read.
 */
class AbandonedTaskCallConcurrencyReviewZTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
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
            // The task is created after 200 ms of preparation, then runs 5 s whatever happens to the connection.
            vertx.setTimer(200, created -> {
                mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                vertx.setTimer(5000, t -> running.decrementAndGet());
                try {
                    request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                            + ",\"result\":{\"task\":{\"taskId\":\"task-" + id + "\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\","
                            + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":1000}}}");
                } catch (RuntimeException gone) {
                    // the gateway reset the request: the task runs anyway
                }
            });
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "max-concurrent-calls: 2\nmax-concurrent-calls-per-caller: 1", null);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aTaskCreatedByAnAbandonedCallHoldsItsCallersSlot() throws Exception {
        for (int i = 1; i <= 5; i++) {
            int before = upstream.received().size();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{},"
                    + "\"task\":{\"ttl\":60000}}}";
            NetSocket socket = vertx.createNetClient().connect(gateway.port(), "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            AtomicBoolean answered = new AtomicBoolean();
            socket.handler(data -> answered.set(true));
            socket.write(Buffer.buffer("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body));
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (upstream.received().size() == before && !answered.get() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            socket.close();
            Thread.sleep(400);
        }

        assertThat(upstream.received()).as("control: calls forwarded").isNotEmpty();
        assertThat(mostRunning.get()).as("tasks running at once for one caller limited to 1 (route limit 2)").isLessThanOrEqualTo(1);
    }
}
