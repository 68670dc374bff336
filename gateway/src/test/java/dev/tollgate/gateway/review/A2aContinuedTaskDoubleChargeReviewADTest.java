package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
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
 * Review AD: a multi-turn A2A task is charged its reported cost twice. The real @a2a-js/sdk agent (input-agent.mjs)
 * answers a first send with its task INPUT_REQUIRED (not terminal: the send pays the route's $0.30 and is kept for the
 * cost the finished task reports, LateCosts.a2aTaskStarted); the caller's second send continues the task, which
 * finishes COMPLETED reporting {@code cost_usd: 0.75} in its metadata (as the SDK's store merges it). The second send is
 * settled at that $0.75 (its answer, or since 1f83999 its own stream, shows the task done), but the first send's deferred
 * entry is left in place; the caller's next GetTask (any client polling its task) shows the same finished task and settles
 * the first send at $0.75 too. The task reported $0.75 once; the tree is charged $1.50. A send whose answer shows a task
 * done should settle (take) the deferred entry of that task rather than leave it for a second settlement of the same
 * report.
 */
class A2aContinuedTaskDoubleChargeReviewADTest {

    private static NodeServer agent;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RunningGateway gateway;
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

    private TestHttp.Reply post(String token, String body) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", token)
                .putHeader("Accept", "application/json, text/event-stream").putHeader("A2A-Version", "1.0");
        return http.send(options, Buffer.buffer(body));
    }

    private long spentSoon(String tree, long expected) throws Exception {
        long spent = 0;
        for (int i = 0; i < 30 && (spent = ReviewYBudgetWorld.spent(gateway, "acme", tree)) != expected; i++) {
            Thread.sleep(100);
        }
        return spent;
    }

    private String startTask(String token) throws Exception {
        TestHttp.Reply first = post(token, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
                + "{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"plan a trip\"}]}}}");
        assertThat(first.body().toString()).contains("TASK_STATE_INPUT_REQUIRED");
        return JsonMapper.builder().build().readTree(first.body().getBytes()).at("/result/task/id").asText();
    }

    private static String continuation(String method, String taskId) {
        return "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"" + method + "\",\"params\":{\"message\":{\"messageId\":\"m2\",\"taskId\":\""
                + taskId + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"Europe\"}]}}}";
    }

    private void assertChargedOnce(String token, String tree, String taskId) throws Exception {
        TestHttp.Reply got = post(token, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"GetTask\",\"params\":{\"id\":\"" + taskId + "\"}}");
        assertThat(got.body().toString()).contains("TASK_STATE_COMPLETED").contains("cost_usd");
        Thread.sleep(500);
        long spent = spentSoon(tree, -1);
        assertThat(spent)
                .as("the task reported $0.75 once; the first send ($0.30, deferred) and the second (settled at the reported $0.75)"
                        + " must not both be settled at $0.75: spent %d micros", spent)
                .isLessThanOrEqualTo(1_050_000);
    }

    @Test
    void aTaskContinuedAndFinishedByASecondSendIsChargedItsReportedCostOnce() throws Exception {
        String token = world.token("acme", "tree-send", "run-1");
        String taskId = startTask(token);
        assertThat(spentSoon("tree-send", 300_000)).isEqualTo(300_000);

        TestHttp.Reply second = post(token, continuation("SendMessage", taskId));
        assertThat(second.body().toString()).contains("TASK_STATE_COMPLETED").contains("cost_usd");
        assertThat(spentSoon("tree-send", 1_050_000)).as("the second send pays what the finished task reports").isEqualTo(1_050_000);

        assertChargedOnce(token, "tree-send", taskId);
    }

    @Test
    void aTaskContinuedAndFinishedOnASecondSendsStreamIsChargedItsReportedCostOnce() throws Exception {
        String token = world.token("acme", "tree-stream", "run-1");
        String taskId = startTask(token);
        assertThat(spentSoon("tree-stream", 300_000)).isEqualTo(300_000);

        TestHttp.Reply second = post(token, continuation("SendStreamingMessage", taskId));
        assertThat(second.body().toString()).contains("TASK_STATE_COMPLETED").contains("cost_usd");
        spentSoon("tree-stream", 1_050_000);

        assertChargedOnce(token, "tree-stream", taskId);
    }
}
