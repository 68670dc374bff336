package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's result relayed by one replica while the call that created the task is still open on another is charged once,
 * when that call ends (TaskResultBeforeCreationEndsReviewZTest across replicas: the result found no deferred cost in the
 * store and kept what it reported in the relaying replica's memory, where the creating replica never looked, so the task
 * stayed at its estimate). With {@code tasks: {store: redis}} the result waits in the store, taken in the same atomic
 * step that would otherwise have kept the cost. The upstream answers the task-augmented {@code tools/call} on SSE with
 * the CreateTaskResult and ends the stream 1.5 s later; {@code tasks/result} reports $0.75; the call is priced $0.30.
 */
class TaskResultBeforeCreationEndsAcrossReplicasTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TASK_ID = Pattern.compile("\"taskId\":\"([^\"]+)\"");

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private TestHttp http;
    private RunningGateway replica1;
    private RunningGateway replica2;
    private ReviewYBudgetWorld world;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        world = ReviewYBudgetWorld.synthesis(dir);
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
        String shared = "budgets: {pricing: PRICING, ledger: redis, cache-ttl: 100ms, cache-max-age: 200ms}\ntasks: {store: redis}\n"
                + "redis: {uri: \"" + redis.uri() + "\", timeout: 2s}";
        replica1 = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), shared));
        replica2 = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), shared));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        replica1.close();
        replica2.close();
        upstream.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply taskResult(RunningGateway replica, String token, int id, String taskId) throws Exception {
        return ReviewYBudgetWorld.post(http, replica.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + taskId + "\"}}");
    }

    @Test
    void aResultRelayedByAnotherReplicaWhileTheCreatingStreamIsOpenIsChargedOnce() throws Exception {
        String token = world.token("acme", "tree-early", "run-1");
        CompletableFuture<String> taskId = new CompletableFuture<>();
        CompletableFuture<Void> streamEnded = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        TestHttp.readStream(http.raw(), TestHttp.mcpPost(replica1.port(), "/mcp").putHeader("X-Waxell-AXID", token).putHeader("MCP-Protocol-Version", "2025-11-25"),
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

        TestHttp.Reply result = taskResult(replica2, token, 2, task);
        assertThat(result.body().toString()).contains("\"cost_usd\":0.75");
        assertThat(streamEnded).as("the creating stream was still open when tasks/result was answered").isNotDone();
        streamEnded.get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-early") == 750_000);
        // Fetched again through either replica: charged nothing more.
        taskResult(replica1, token, 3, task);
        taskResult(replica2, token, 4, task);
        Thread.sleep(300);
        assertThat(ReviewYBudgetWorld.spent(replica1, "acme", "tree-early")).isEqualTo(750_000);
    }
}
