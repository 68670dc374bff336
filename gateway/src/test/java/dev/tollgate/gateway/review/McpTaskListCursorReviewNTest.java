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
import java.nio.file.Files;
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
 * Review N: MCP tasks/list. The TypeScript SDK v1's InMemoryTaskStore pages 10 tasks at a time and answers
 * {@code nextCursor} = the id of the last task on the page, whoever created it (experimental/tasks/stores/in-memory.js
 * listTasks: {@code nextCursor = pageTaskIds[pageTaskIds.length - 1]}); a stateless server (no session) lists every
 * caller's tasks. McpResponseFilter.filterTasksList takes another caller's tasks out of {@code tasks} but relays
 * {@code nextCursor}: globex is handed the id of acme's task, which its tasks/get is told does not exist.
 */
class McpTaskListCursorReviewNTest {

    private static final ObjectMapper JSON = new ObjectMapper();
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
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: tasks, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(policies, tokens.identityYaml().strip(), server.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private String post(String url, String tenant, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25");
        if (tenant != null) {
            request.header("X-Waxell-AXID", tokens.token(tenant, "a"));
        }
        return http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static JsonNode json(String answer) throws Exception {
        return JSON.readTree(answer.substring(answer.indexOf('{')));
    }

    private List<String> acmeJobs(String url, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(json(post(url, url.equals(server.url("/mcp")) ? null : "acme", "{\"jsonrpc\":\"2.0\",\"id\":" + i
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"job\",\"arguments\":{\"name\":\"acme\"},\"task\":{\"ttl\":60000}}}"))
                    .at("/result/task/taskId").asText());
        }
        return ids;
    }

    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tasks/list\",\"params\":{}}";

    @Test
    void theServerItselfNamesTheLastListedTaskAsItsCursor() throws Exception {
        List<String> ids = acmeJobs(server.url("/mcp"), 11);
        JsonNode page = json(post(server.url("/mcp"), null, LIST));
        assertThat(page.at("/result/nextCursor").asText()).as(page.toString()).isEqualTo(ids.get(9));
    }

    @Test
    void anotherCallersTaskListDoesNotNameAcmesTasks() throws Exception {
        List<String> ids = acmeJobs(gateway.url("/mcp"), 11);
        assertThat(ids).allMatch(id -> !id.isEmpty());
        String answer = post(gateway.url("/mcp"), "globex", LIST);
        JsonNode page = json(answer);

        assertThat(page.at("/result/tasks").size()).as(answer).isZero();
        assertThat(ids).as("globex's tasks/list hands it the id of acme's task as nextCursor: " + answer)
                .doesNotContain(page.at("/result/nextCursor").asText(""));
    }
}
