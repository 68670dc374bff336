package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Z, finding (medium): "a tools/call run as an MCP task pays its estimate when the task is created" (README)
 * holds only while the CreateTaskResult reports nothing. CompletionRecorder settles the creating call at
 * {@code pricing.actualMicros(route, tool, CreateTaskResult)}, which is the cost the answer reports when it reports one:
 * a server that reports the cost of every answer in {@code _meta.cost_usd} (or token usage) reports $0 for the creation,
 * nothing having run yet. The task is then settled, and filed in DeferredCosts, at $0: its hold is gone and the tree's
 * spend has not moved, so the budget admits the next task, and the next, without end. Every task's real cost arrives
 * afterwards with its tasks/result, all of them charged after the fact: one tree runs any number of tasks on any
 * budget, and the ledger ends far beyond the limit.
 *
 * <p>Input: budget $1.00 on {@code tools/call synth*}, synthesize priced $0.30; the upstream's CreateTaskResult carries
 * {@code _meta: {cost_usd: 0}}, the task's tasks/result {@code _meta.cost_usd: 0.75}. Six task-augmented calls first,
 * then their six tasks/result.
 *
 * <p>Gateway accounted: 6 tasks created on the $1.00 budget (each settled at $0), then $4.50 charged: 4.5x the limit.
 * Expected: each creation pays at least its $0.30 estimate, so 3 tasks are created (ledger $2.25 after their results).
 *
 * <p>Suggested fix: settle a call answered with a task at {@code max(estimate, reported)} (the answer's own report is
 * the cost of creating the task, not of the work), or keep its hold open until its tasks/result settles it.
 */
class TaskCreationReportsZeroReviewZTest {

    private static final ObjectMapper JSON = new ObjectMapper();

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
            String method = body.path("method").asText();
            String result = "tools/call".equals(method)
                    ? "{\"task\":{\"taskId\":\"task-" + id + "\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\","
                            + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":100},\"_meta\":{\"cost_usd\":0}}"
                    : "{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}";
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
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

    @Test
    void eachTaskCreatedPaysAtLeastItsEstimate() throws Exception {
        String token = world.token("acme", "tree-zero", "run-1");
        List<String> tasks = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            JsonNode created = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{},"
                            + "\"task\":{\"ttl\":60000}}}").json();
            String taskId = created.at("/result/task/taskId").asText("");
            if (!taskId.isEmpty()) {
                tasks.add(taskId);
            }
            Thread.sleep(100);
        }
        for (int i = 0; i < tasks.size(); i++) {
            TestHttp.Reply result = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + (100 + i) + ",\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + tasks.get(i) + "\"}}");
            assertThat(result.body().toString()).contains("\"cost_usd\":0.75");
        }
        Thread.sleep(400);
        long spent = ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-zero", tasks.size() * 750_000L);

        assertThat(spent).as("control: every task's reported cost charged").isEqualTo(tasks.size() * 750_000L);
        assertThat(tasks.size()).as("tasks created on a $1.00 budget at a $0.30 estimate each (ledger now $%.2f)", spent / 1e6)
                .isLessThanOrEqualTo(3);
    }
}
