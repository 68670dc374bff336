package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Z, finding (medium): a task's deferred cost is filed only when the exchange that created it ends
 * (CompletionRecorder.deferIfAnsweredLater), but the client has the task id as soon as the CreateTaskResult event is
 * relayed. A {@code tasks/result} sent while the creating stream is still open (the server goes on with the stream after
 * the response: progress, status notifications, or simply a late close) passes DeferredCostWatchStage with no entry to
 * find, is not watched, and its reported cost is never charged; the entry filed a moment later waits for a second
 * tasks/result that never comes. The same ordering defeats the task's concurrency slot: the tasks/result that ended the
 * task ran before RunningTasks knew it, so the slot is then held for the task's ttl though the task is over.
 *
 * <p>Input: budget $1.00 on {@code tools/call synth*}, synthesize priced $0.30; the upstream answers the task-augmented
 * {@code tools/call} on SSE with the CreateTaskResult and ends the stream 1.5 s later; the client sends
 * {@code tasks/result} as soon as it reads the task id; the answer reports {@code _meta.cost_usd: 0.75}.
 *
 * <p>Gateway accounted: $0.30. What happened: $0.75 reported for the task and its result delivered.
 *
 * <p>Suggested fix: file the task in DeferredCosts when the response creating it is read (McpResponseFilter, where
 * TaskOrigins learns it), with the charge's paid amount settled later; or have settleLateAnswers look the task up at
 * completion of the tasks/result exchange regardless of whether it was watched (always watch tasks/result answers: they
 * are few).
 */
class TaskResultBeforeCreationEndsReviewZTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TASK_ID = Pattern.compile("\"taskId\":\"([^\"]+)\"");

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private ReviewYBudgetWorld world;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        world = new ReviewYBudgetWorld(dir, """
                routes:
                  upstream:
                    default: 0.01
                    tools:
                      synthesize: 0.30
                """, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{method: tools/call}, {tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                    action: deny
                """);
        upstream.answer(request -> {
            JsonNode body;
            try {
                body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            String id = body.path("id").toString();
            if ("tools/call".equals(body.path("method").asText())) {
                var response = request.response().putHeader("content-type", "text/event-stream").setChunked(true);
                response.write("id: ev-" + id + "\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"task\":{\"taskId\":\"task-" + id
                        + "\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\",\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\","
                        + "\"ttl\":60000,\"pollInterval\":100}}}\n\n");
                vertx.setTimer(1500, t -> response.end());
                return;
            }
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}}");
        });
        gateway = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** The task is created, its tasks/result answered while the creating stream is open, then that stream ends. */
    private void resultBeforeCreationEnds(String token) throws Exception {
        CompletableFuture<String> taskId = new CompletableFuture<>();
        CompletableFuture<Void> streamEnded = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        TestHttp.readStream(http.raw(), TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token).putHeader("MCP-Protocol-Version", "2025-11-25"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\","
                        + "\"arguments\":{},\"task\":{\"ttl\":60000}}}"),
                // The handlers are set as the head arrives (see TestHttp.exchange): set later, they could miss the task's event.
                (HttpClientResponse response) -> {
                    response.handler(chunk -> {
                        seen.append(chunk.toString());
                        Matcher m = TASK_ID.matcher(seen);
                        if (m.find()) {
                            taskId.complete(m.group(1));
                        }
                    });
                    response.endHandler(v -> streamEnded.complete(null));
                })
                .onFailure(taskId::completeExceptionally);
        String task = taskId.get(10, TimeUnit.SECONDS);

        TestHttp.Reply result = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + task + "\"}}");
        assertThat(result.body().toString()).contains("\"cost_usd\":0.75");
        assertThat(streamEnded).as("the creating stream was still open when tasks/result was answered").isNotDone();
        streamEnded.get(10, TimeUnit.SECONDS);
        Thread.sleep(500);
    }

    @Test
    void aTasksResultSentWhileTheCreatingStreamIsOpenIsCharged() throws Exception {
        resultBeforeCreationEnds(world.token("acme", "tree-early", "run-1"));

        assertThat(ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-early", 750_000L)).as("one task, its tasks/result reported $0.75")
                .isEqualTo(750_000L);
    }

    /** The task's result was given: it holds no concurrency slot any more (it is held for its 60 s ttl). */
    @Test
    void aTaskWhoseResultWasGivenBeforeItsCreationEndedHoldsNoSlot() throws Exception {
        resultBeforeCreationEnds(world.token("acme", "tree-slot", "run-1"));

        assertThat(gateway.gateway().services().concurrentCalls().runningTasks().size()).as("tasks holding a slot").isZero();
    }
}
