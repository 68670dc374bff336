package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AD's double charge of a multi-turn A2A task, across replicas ({@code tasks: {store: redis}}): the send starting
 * the task (INPUT_REQUIRED, $0.30 deferred into the shared store) goes through one replica, the send continuing and
 * finishing it (reporting $0.75) through the other, and GetTask through both. The finishing send pays the report and takes
 * the shared deferral, so the task costs $0.30 + $0.75 on the shared ledger whichever replica relays what, and no hold is
 * left behind.
 */
class A2aContinuedTaskCostAcrossReplicasTest {

    private static final long STARTED_AND_FINISHED_MICROS = 1_050_000;

    private static NodeServer agent;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RunningGateway replica1;
    private RunningGateway replica2;
    private TestHttp http;
    private ReviewYBudgetWorld world;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = NodeServer.start("a2a/input-agent.mjs", Map.of("PORT", "0", "COST_USD", "0.75"));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        agent.close();
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
        http = new TestHttp(vertx);
        world = new ReviewYBudgetWorld(dir, """
                reported-cost: /task/metadata/cost_usd
                routes:
                  agent:
                    default: 0.30
                """, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: tree-budget
                    condition: {check: {name: budget, args: {limit_usd: 100.00}}}
                    action: deny
                """);
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                budgets: {pricing: %s, ledger: redis, cache-ttl: 100ms, cache-max-age: 200ms}
                tasks: {store: redis}
                redis: {uri: "%s", timeout: 2s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), ReviewYBudgetWorld.ISSUER, ReviewYBudgetWorld.AUDIENCE,
                dir.resolve("pricing.yaml"), redis.uri(), agent.url(""));
        replica1 = RunningGateway.start(vertx, yaml);
        replica2 = RunningGateway.start(vertx, yaml);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        replica1.close();
        replica2.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply post(RunningGateway replica, String token, String body) throws Exception {
        var options = TestHttp.mcpPost(replica.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", token)
                .putHeader("Accept", "application/json, text/event-stream").putHeader("A2A-Version", "1.0");
        return http.send(options, Buffer.buffer(body));
    }

    private String startTask(RunningGateway replica, String token, String tree) throws Exception {
        TestHttp.Reply first = post(replica, token, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
                + "{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"plan a trip\"}]}}}");
        assertThat(first.body().toString()).contains("TASK_STATE_INPUT_REQUIRED");
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", tree) == 300_000);
        return JsonMapper.builder().build().readTree(first.body().getBytes()).at("/result/task/id").asText();
    }

    private void finishTask(RunningGateway replica, String token, String method, String taskId) throws Exception {
        TestHttp.Reply second = post(replica, token, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"" + method + "\",\"params\":{\"message\":"
                + "{\"messageId\":\"m2\",\"taskId\":\"" + taskId + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"Europe\"}]}}}");
        assertThat(second.body().toString()).contains("TASK_STATE_COMPLETED").contains("cost_usd");
    }

    private void getTask(RunningGateway replica, String token, String taskId) throws Exception {
        TestHttp.Reply got = post(replica, token, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"GetTask\",\"params\":{\"id\":\"" + taskId + "\"}}");
        assertThat(got.body().toString()).contains("TASK_STATE_COMPLETED").contains("cost_usd");
    }

    /** Charged once, on the shared ledger, and as each replica decides budgets by (so nothing is still held there). */
    private void assertChargedOnce(String tree) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", tree) >= STARTED_AND_FINISHED_MICROS);
        Thread.sleep(500);
        assertThat(ReviewYBudgetWorld.spent(replica1, "acme", tree))
                .as("the starting send's $0.30 and the finishing send's reported $0.75; the report is not charged again")
                .isEqualTo(STARTED_AND_FINISHED_MICROS);
        for (RunningGateway replica : new RunningGateway[] {replica1, replica2}) {
            assertThat(replica.gateway().services().budgets().view(new SpendKey("acme", tree), null)
                    .toCompletionStage().toCompletableFuture().get().effectiveMicros())
                    .as("the spend replica %d decides on: the ledger's, no hold left", replica == replica1 ? 1 : 2)
                    .isEqualTo(STARTED_AND_FINISHED_MICROS);
        }
    }

    @Test
    void aTaskStartedOnOneReplicaAndFinishedBySendOnTheOtherIsChargedItsReportOnce() throws Exception {
        String token = world.token("acme", "tree-send", "run-1");
        String taskId = startTask(replica1, token, "tree-send");

        finishTask(replica2, token, "SendMessage", taskId);
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-send") == STARTED_AND_FINISHED_MICROS);

        getTask(replica1, token, taskId);
        getTask(replica2, token, taskId);
        assertChargedOnce("tree-send");
    }

    @Test
    void aTaskStartedOnOneReplicaAndFinishedOnAStreamOfTheOtherIsChargedItsReportOnce() throws Exception {
        String token = world.token("acme", "tree-stream", "run-1");
        String taskId = startTask(replica1, token, "tree-stream");

        finishTask(replica2, token, "SendStreamingMessage", taskId);
        getTask(replica1, token, taskId);
        getTask(replica2, token, taskId);
        assertChargedOnce("tree-stream");
    }

    @Test
    void aTaskFinishedOnTheReplicaThatStartedItIsNotChargedAgainThroughTheOther() throws Exception {
        String token = world.token("acme", "tree-same", "run-1");
        String taskId = startTask(replica1, token, "tree-same");

        finishTask(replica1, token, "SendMessage", taskId);
        getTask(replica2, token, taskId);
        getTask(replica1, token, taskId);
        assertChargedOnce("tree-same");
    }
}
