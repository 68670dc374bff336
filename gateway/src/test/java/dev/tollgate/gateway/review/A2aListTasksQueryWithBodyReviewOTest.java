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
 * Review O: A2aParseStep reads GET /tasks' contextId from the query only when the request has no body
 * ({@code rest.method() == LIST_TASKS && (body == null || body.isMissingNode())}). The SDK's GET /tasks route reads
 * req.query only (express/index.js registerRoute("get", "/tasks") -> RestTransportHandler.listTasks(req.query)), whatever
 * body a GET carries. A GET /tasks?contextId=<acme's> with a body {} is decided as a ListTasks of no context and lists
 * acme's context at the agent: the review-N check (404 as over JSON-RPC) is skipped.
 */
class A2aListTasksQueryWithBodyReviewOTest {

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
    void aGetBodyDoesNotHideTheQuerysContextId() throws Exception {
        String[] acme = acmeTask("ctx-acme-77", 1);
        acmeTask("ctx-acme-77", 2);
        String url = gateway.url("/agents/echo/a2a/rest/tasks?pageSize=1&contextId=" + URLEncoder.encode(acme[1], StandardCharsets.UTF_8));
        HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("A2A-Version", "1.0").header("X-Waxell-AXID", tokens.token("globex", "a")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> withBody = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("A2A-Version", "1.0").header("Content-Type", "application/json").header("X-Waxell-AXID", tokens.token("globex", "a"))
                .method("GET", HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(plain.statusCode()).as("without a body (review N's fix): " + plain.body()).isEqualTo(404);
        assertThat(withBody.statusCode()).as("GET /tasks?contextId=<acme's> with a {} body: " + withBody.body()).isEqualTo(404);
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
