package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AD: a sealed tasks/list cursor still carries the upstream's cursor, which the TypeScript SDK's store makes the
 * page's last task's id, whoever's. When that task is gone from the store (its ttl ran out: the other caller chose a
 * short one), the SDK answers the next page with {@code -32602 "Failed to list tasks: Invalid cursor: <task id>"}, and the
 * gateway relays that error unread: the caller learns another caller's task id (what review N and the sealed cursors
 * were meant to prevent). The gateway should not relay an upstream error that quotes the cursor it unsealed (answer
 * its own invalid_params "start the listing again" instead, or scrub the upstream cursor from the error).
 */
class TaskListCursorErrorLeakReviewADTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = NodeServer.start("ts-server.mjs", Map.of("PORT", "0", "TASKS", "1", "JOB_MS", "60000"));
        tokens = TenantTokens.in(dir);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, tokens.allowAllMcpYaml(dir, "tasks", server.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private HttpResponse<String> post(String tenant, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(TEN_SECONDS)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25").header("X-Waxell-AXID", tokens.token(tenant, "a"));
        return http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String answer) throws Exception {
        return JSON.readTree(answer.substring(answer.indexOf('{')));
    }

    private List<String> jobs(String tenant, int count, int firstId, long ttlMillis) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(json(post(tenant, "{\"jsonrpc\":\"2.0\",\"id\":" + (firstId + i) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"job\","
                    + "\"arguments\":{\"name\":\"" + tenant + "\"},\"task\":{\"ttl\":" + ttlMillis + "}}}").body()).at("/result/task/taskId").asText());
        }
        assertThat(ids).allMatch(id -> !id.isEmpty());
        return ids;
    }

    private static String list(int id, String cursor) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tasks/list\",\"params\":{" + (cursor == null ? "" : "\"cursor\":\"" + cursor + "\"") + "}}";
    }

    @Test
    void anExpiredPageEndLeaksAnotherCallersTaskIdThroughTheUpstreamsError() throws Exception {
        jobs("acme", 9, 1, 600_000);
        // globex's task is the tenth the server holds: the end of acme's first page, and the upstream cursor sealed in it.
        List<String> globex = jobs("globex", 1, 20, 2_500);
        jobs("acme", 3, 30, 600_000);

        JsonNode first = json(post("acme", list(100, null)).body());
        assertThat(first.at("/result/tasks").size()).isEqualTo(9);
        String cursor = first.at("/result/nextCursor").asText();
        assertThat(cursor).isNotEmpty().isNotEqualTo(globex.get(0));

        Thread.sleep(3_500); // globex's task leaves the SDK's store (its ttl)

        HttpResponse<String> next = post("acme", list(101, cursor));
        assertThat(next.body()).as("acme's next page must not name globex's task: " + next.body()).doesNotContain(globex.get(0));
    }
}
