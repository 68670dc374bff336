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
 * A caller pages through all its tasks on a server it shares (the real TypeScript SDK server, stateless, ten tasks a
 * page, its cursor the last listed task's id). Review N made a page whose last task was another caller's end the listing
 * (the cursor named that task); the gateway now hands out cursors sealed to the caller and gives the upstream its own
 * back, and refuses every other cursor (made up: a task id, whose existence the server's answer would tell; another
 * caller's; edited) with 400 {@code invalid_params}, forwarding nothing.
 */
class TaskListCursorTest {

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

    private List<String> jobs(String tenant, int count, int firstId) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(json(post(tenant, "{\"jsonrpc\":\"2.0\",\"id\":" + (firstId + i) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"job\","
                    + "\"arguments\":{\"name\":\"" + tenant + "\"},\"task\":{\"ttl\":60000}}}").body()).at("/result/task/taskId").asText());
        }
        assertThat(ids).allMatch(id -> !id.isEmpty());
        return ids;
    }

    private static String list(int id, String cursor) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tasks/list\",\"params\":{" + (cursor == null ? "" : "\"cursor\":\"" + cursor + "\"") + "}}";
    }

    /** Every task the caller is listed, page by page; the cursors it was handed. */
    private List<String> listAll(String tenant, List<String> cursors) throws Exception {
        List<String> listed = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10; page++) {
            JsonNode answer = json(post(tenant, list(100 + page, cursor)).body());
            answer.at("/result/tasks").forEach(task -> listed.add(task.get("taskId").asText()));
            cursor = answer.at("/result/nextCursor").isTextual() ? answer.at("/result/nextCursor").asText() : null;
            if (cursor == null) {
                break;
            }
            cursors.add(cursor);
        }
        return listed;
    }

    @Test
    void aCallerPagesThroughAllItsTasksPastAnotherCallersOnAPageEnd() throws Exception {
        List<String> acme = new ArrayList<>(jobs("acme", 9, 1));
        List<String> globex = jobs("globex", 2, 20);
        acme.addAll(jobs("acme", 3, 30));
        List<String> cursors = new ArrayList<>();

        List<String> listed = listAll("acme", cursors);

        assertThat(listed).as("the server's first page ends on globex's task").containsExactlyElementsOf(acme);
        assertThat(cursors).isNotEmpty().allMatch(c -> !globex.contains(c) && !acme.contains(c));
        assertThat(listAll("globex", new ArrayList<>())).containsExactlyElementsOf(globex);
    }

    @Test
    void aCursorTheGatewayDidNotHandThisCallerIsRefusedAndNotForwarded() throws Exception {
        List<String> acme = jobs("acme", 11, 1);
        List<String> acmeCursors = new ArrayList<>();
        listAll("acme", acmeCursors);

        HttpResponse<String> madeUp = post("globex", list(7, acme.get(9)));
        HttpResponse<String> anothers = post("globex", list(8, acmeCursors.get(0)));
        HttpResponse<String> edited = post("acme", list(9, acmeCursors.get(0).substring(0, acmeCursors.get(0).length() - 2) + "AA"));

        for (HttpResponse<String> refused : List.of(madeUp, anothers, edited)) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(json(refused.body()).at("/error/data/reason").asText()).as(refused.body()).isEqualTo("invalid_params");
            // The gateway's own refusal (the server knows no such words): nothing was forwarded.
            assertThat(json(refused.body()).at("/error/data/detail").asText()).contains("not a cursor this gateway handed you");
            assertThat(refused.body()).doesNotContain(acme.get(10));
        }
        assertThat(json(madeUp.body()).at("/id").asInt()).isEqualTo(7);
    }
}
