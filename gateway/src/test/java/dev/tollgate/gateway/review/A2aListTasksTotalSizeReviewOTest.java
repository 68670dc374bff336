package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review O: A2aTaskListFilter (47e127e) rewrites ListTasks' totalSize only when it took a task out of the page
 * ({@code if (removed == 0) return new Visible(body)}). The SDK's InMemoryTaskStore.list computes totalSize over every
 * matching task in its (single, noAuthentication) bucket before paging (server/index.js, list: {@code totalSize =
 * tasks.length} ahead of the pageToken slice). A caller whose own task fills the page (pageSize 1, its task newest)
 * is handed the count of every caller's tasks; with the status / statusTimestampAfter filters, counts of others'
 * tasks in each state and time window.
 */
class A2aListTasksTotalSizeReviewOTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer agent;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
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
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(policies, tokens.identityYaml().strip(), agent.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** acme's task (completed), through the gateway so it is bound to acme; its id and context id. */
    private String[] acmeTask(String contextId, int n) throws Exception {
        String context = contextId == null ? "" : ",\"contextId\":\"" + contextId + "\"";
        JsonNode sent = JSON.readTree(client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "acme", "SendMessage",
                "{\"message\":{\"messageId\":\"m-acme-" + n + "\"" + context + ",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"acme merger plan\"}]}}"),
                HttpResponse.BodyHandlers.ofString()).body());
        return new String[] {sent.at("/result/task/id").asText(), sent.at("/result/task/contextId").asText()};
    }

    @Test
    void aPageOfOnlyTheCallersOwnTasksDoesNotCountAnotherCallersTasks() throws Exception {
        acmeTask(null, 1);
        acmeTask(null, 2);
        acmeTask(null, 3);
        Thread.sleep(50);
        JsonNode mine = JSON.readTree(client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "SendMessage",
                "{\"message\":{\"messageId\":\"m-globex-1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"globex\"}]}}"),
                HttpResponse.BodyHandlers.ofString()).body());
        Thread.sleep(200);
        String body = client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "ListTasks", "{\"pageSize\":1}"),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonNode page = JSON.readTree(body);

        assertThat(page.at("/result/tasks").size()).as(body).isEqualTo(1);
        assertThat(page.at("/result/tasks/0/id").asText()).as(body).isEqualTo(mine.at("/result/task/id").asText());
        assertThat(page.at("/result/totalSize").asInt(0)).as("globex holds one task; totalSize counts acme's three: " + body)
                .isLessThanOrEqualTo(1);
    }

    private HttpRequest rpc(String url, String tenant, String method, String params) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("Accept", "application/json, text/event-stream");
        if (tenant != null) {
            b.header("X-Waxell-AXID", tokens.token(tenant, "a"));
        }
        return b.POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}")).build();
    }
}
