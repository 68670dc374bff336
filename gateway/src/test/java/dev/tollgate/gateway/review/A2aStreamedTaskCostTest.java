package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An A2A task that finishes on a stream pays the cost it reports there (review Z's residue): the real @a2a-js/sdk agent
 * (echo-agent.mjs, {@code COST_USD=0.75}) starts each task SUBMITTED and reports $0.75 in the metadata of its final
 * COMPLETED status update, which its task store merges into the task's. The route's price is $0.30. Before, a streaming
 * send paid $0.30 (its first event is a task still running, and nothing read the rest), and so did a send whose task the
 * caller followed with {@code SubscribeToTask}: only a later {@code GetTask} or {@code CancelTask} read the cost.
 */
class A2aStreamedTaskCostTest {

    private static NodeServer agent;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RunningGateway gateway;
    private TestHttp http;
    private ReviewYBudgetWorld world;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "100", "COST_USD", "0.75"));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        agent.close();
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
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
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                budgets: {pricing: %s, cache-ttl: 1s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), ReviewYBudgetWorld.ISSUER, ReviewYBudgetWorld.AUDIENCE,
                dir.resolve("pricing.yaml"), agent.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply post(String token, String path, String version, String body) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), path).putHeader("X-Waxell-AXID", token).putHeader("Accept", "application/json, text/event-stream");
        if (version != null) {
            options.putHeader("A2A-Version", version);
        }
        return http.send(options, Buffer.buffer(body));
    }

    private static String message(String id) {
        return "{\"messageId\":\"" + id + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"research\"}]}";
    }

    private long spentSoon(String tree, long expected) throws Exception {
        long spent = 0;
        for (int i = 0; i < 50 && (spent = ReviewYBudgetWorld.spent(gateway, "acme", tree)) != expected; i++) {
            Thread.sleep(100);
        }
        return spent;
    }

    @Test
    void aStreamingSendWhoseTaskFinishesOnItsStreamPaysWhatTheTaskReports() throws Exception {
        TestHttp.Reply stream = post(world.token("acme", "tree-stream", "run-1"), "/agent/a2a/jsonrpc", "1.0",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendStreamingMessage\",\"params\":{\"message\":" + message("m1") + "}}");

        assertThat(stream.body().toString()).as(stream.body().toString()).contains("TASK_STATE_COMPLETED").contains("cost_usd");
        assertThat(spentSoon("tree-stream", 750_000)).isEqualTo(750_000);
    }

    @Test
    void aLegacyStreamingSendPaysWhatTheTaskReports() throws Exception {
        TestHttp.Reply stream = post(world.token("acme", "tree-legacy", "run-1"), "/agent/a2a/jsonrpc", null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/stream\",\"params\":{\"message\":{\"kind\":\"message\",\"messageId\":\"m2\","
                        + "\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"research\"}]}}}");

        assertThat(stream.body().toString()).as(stream.body().toString()).contains("\"completed\"").contains("cost_usd");
        assertThat(spentSoon("tree-legacy", 750_000)).isEqualTo(750_000);
    }

    @Test
    void anHttpJsonStreamingSendPaysWhatTheTaskReports() throws Exception {
        TestHttp.Reply stream = post(world.token("acme", "tree-rest", "run-1"), "/agent/a2a/rest/message:stream", "1.0",
                "{\"message\":" + message("m3") + "}");

        assertThat(stream.body().toString()).as(stream.body().toString()).contains("TASK_STATE_COMPLETED").contains("cost_usd");
        assertThat(spentSoon("tree-rest", 750_000)).isEqualTo(750_000);
    }

    @Test
    void aTaskFollowedWithSubscribeToTaskPaysWhatItReportsWhenTheStreamShowsItDone() throws Exception {
        String token = world.token("acme", "tree-subscribe", "run-1");
        TestHttp.Reply sent = post(token, "/agent/a2a/jsonrpc", "1.0", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":"
                + "{\"message\":" + message("m4") + ",\"configuration\":{\"returnImmediately\":true}}}");
        String taskId = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(sent.body().getBytes()).at("/result/task/id").asText();
        assertThat(taskId).as(sent.body().toString()).isNotEmpty();
        assertThat(spentSoon("tree-subscribe", 300_000)).as("a task still running pays its estimate").isEqualTo(300_000);

        TestHttp.Reply followed = post(token, "/agent/a2a/jsonrpc", "1.0",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"SubscribeToTask\",\"params\":{\"id\":\"" + taskId + "\"}}");

        assertThat(followed.body().toString()).as(followed.body().toString()).contains("TASK_STATE_COMPLETED");
        assertThat(spentSoon("tree-subscribe", 750_000)).isEqualTo(750_000);
        // Read again, the task is charged nothing more.
        TestHttp.Reply got = post(token, "/agent/a2a/jsonrpc", "1.0", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"GetTask\",\"params\":{\"id\":\"" + taskId + "\"}}");
        assertThat(got.body().toString()).contains("TASK_STATE_COMPLETED").contains("cost_usd");
        Thread.sleep(300);
        assertThat(ReviewYBudgetWorld.spent(gateway, "acme", "tree-subscribe")).isEqualTo(750_000);
    }

    @Test
    void aStreamCutBeforeTheTaskEndsLeavesItToALaterRead() throws Exception {
        // A send answered at once with its task running: paid its estimate; GetTask, once the task is done, pays the rest (as before).
        String token = world.token("acme", "tree-later", "run-1");
        TestHttp.Reply sent = post(token, "/agent/a2a/jsonrpc", "1.0", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":"
                + "{\"message\":" + message("m5") + ",\"configuration\":{\"returnImmediately\":true}}}");
        String taskId = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(sent.body().getBytes()).at("/result/task/id").asText();
        Thread.sleep(1_500);

        post(token, "/agent/a2a/jsonrpc", "1.0", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"GetTask\",\"params\":{\"id\":\"" + taskId + "\"}}");

        assertThat(spentSoon("tree-later", 750_000)).isEqualTo(750_000);
    }
}
