package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AD (low): a task's late result was priced with the token prices of the route that relayed it, not of the route
 * whose call created it. Two routes reach one server, {@code /mcp} priced at $10 per 1k tokens and {@code /cheap} at
 * $0.001: a task created through {@code /mcp} and fetched through {@code /cheap} paid the cheap price for the work it did
 * on the dear route. It now pays the creating route's prices.
 */
class TaskResultPricedUnderCreatingRouteTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @AfterEach
    void stop() throws Exception {
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aTaskCreatedThroughOneRouteAndFetchedThroughAnotherPaysTheCreatingRoutesPrices() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        ReviewYBudgetWorld world = new ReviewYBudgetWorld(dir, """
                default: 0
                reported-cost: /_meta/cost_usd
                usage:
                  input-tokens: /_meta/usage/input_tokens
                  output-tokens: /_meta/usage/output_tokens
                routes:
                  upstream:
                    default: 0
                    tokens: {input-per-1k: 10, output-per-1k: 10}
                  cheap:
                    default: 0
                    tokens: {input-per-1k: 0.001, output-per-1k: 0.001}
                """, "name: p\ndefaults: {action: allow}\nrules: []\n");
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            String result = body.contains("\"tasks/result\"")
                    ? "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}],\"_meta\":{\"usage\":{\"input_tokens\":100,\"output_tokens\":100}}}"
                    : "{\"task\":{\"taskId\":\"task-1\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\","
                            + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":100}}";
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });
        String yaml = world.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}")
                + "  - {name: cheap, path: /cheap, protocol: mcp, upstream: \"" + upstream.url("/mcp") + "\", policy: p}\n";
        gateway = RunningGateway.start(vertx, yaml);
        String token = world.token("acme", "tree-1", "run-1");

        JsonNode created = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{},\"task\":{\"ttl\":60000}}}").json();
        assertThat(created.at("/result/task/taskId").asText()).isEqualTo("task-1");
        TestHttp.Reply result = http.send(TestHttp.mcpPost(gateway.port(), "/cheap").putHeader("X-Waxell-AXID", token)
                .putHeader("MCP-Protocol-Version", "2025-11-25"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"task-1\"}}"));
        assertThat(result.body().toString()).contains("done");

        // 200 tokens at $10 per 1k: $2.00 (at the cheap route's $0.001 per 1k it would be $0.0002).
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(ReviewYBudgetWorld.spent(gateway, "acme", "tree-1")).isEqualTo(2_000_000));
    }
}
