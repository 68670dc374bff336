package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task created through one replica and fetched through another still pays what its result reports (review Y's task
 * cost, across replicas: the creating replica alone remembered it, so a tasks/result through the other left the task at
 * its estimate). With {@code tasks: {store: redis}} the deferred cost is shared, and taken once whichever replica asks.
 */
class TaskResultCostAcrossReplicasTest {

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
        ReviewYBudgetWorld.answerAsPricedTaskServer(upstream);
        http = new TestHttp(vertx);
        world = ReviewYBudgetWorld.synthesis(dir);
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

    private String createTask(RunningGateway replica, String token, int id) throws Exception {
        JsonNode created = ReviewYBudgetWorld.post(http, replica.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{},"
                        + "\"task\":{\"ttl\":60000}}}").json();
        return created.at("/result/task/taskId").asText();
    }

    private TestHttp.Reply taskResult(RunningGateway replica, String token, int id, String taskId) throws Exception {
        return ReviewYBudgetWorld.post(http, replica.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + taskId + "\"}}");
    }

    @Test
    void theReplicaRelayingTheResultChargesWhatItReportsOnce() throws Exception {
        String token = world.token("acme", "tree-replicas", "run-1");
        String taskId = createTask(replica1, token, 1);
        assertThat(taskId).isNotEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-replicas") == 300_000);

        TestHttp.Reply result = taskResult(replica2, token, 2, taskId);
        assertThat(result.json().at("/result/_meta/cost_usd").asDouble()).as(result.body().toString()).isEqualTo(0.75);
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-replicas") == 750_000);

        // Fetched again through either replica: the cost was taken, nothing more is charged.
        taskResult(replica1, token, 3, taskId);
        taskResult(replica2, token, 4, taskId);
        Thread.sleep(300);
        assertThat(ReviewYBudgetWorld.spent(replica1, "acme", "tree-replicas")).isEqualTo(750_000);
    }

    @Test
    void theCreatingReplicaTakesTheSharedCopyToo() throws Exception {
        String token = world.token("acme", "tree-same", "run-1");
        String taskId = createTask(replica1, token, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-same") == 300_000);

        taskResult(replica1, token, 2, taskId);
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-same") == 750_000);
        taskResult(replica2, token, 3, taskId);
        Thread.sleep(300);
        assertThat(ReviewYBudgetWorld.spent(replica1, "acme", "tree-same")).as("the other replica finds nothing left to charge").isEqualTo(750_000);
    }
}
