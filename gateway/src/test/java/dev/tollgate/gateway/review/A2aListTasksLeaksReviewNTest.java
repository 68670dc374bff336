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
 * Review N: A2A ListTasks. The real @a2a-js/sdk 1.3.0 agent (echo-agent.mjs, InMemoryTaskStore) pages its list and
 * hands back {@code nextPageToken} = base64("{status timestamp}|{task id}") of the last task on the page, whoever owns
 * it (server/index.js encodePageToken, ScopedStore.list), and {@code totalSize} counts every task matching. The gateway's
 * A2aTaskListFilter takes another caller's tasks out of {@code tasks} but relays the token (and lowers totalSize only by
 * the tasks removed from this page): another caller's task id, which GetTask would call "not found", is handed out.
 * And the HTTP+JSON {@code GET /tasks?contextId=...} query parameter, which the SDK filters the list on
 * (RestTransportHandler.listTasks reads req.query), is not read by the gateway at all, so the context check that refuses
 * JSON-RPC ListTasks {contextId: another's} (a2a_context_not_found) is skipped over REST.
 */
class A2aListTasksLeaksReviewNTest {

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
    void theAgentItselfNamesTheLastListedTaskInItsPageToken() throws Exception {
        String task = acmeTask(null, 1)[0];
        acmeTask(null, 2);
        JsonNode page = JSON.readTree(client.send(rpc(agent.url("/a2a/jsonrpc"), null, "ListTasks", "{\"pageSize\":1}"),
                HttpResponse.BodyHandlers.ofString()).body());
        String token = new String(Base64.getDecoder().decode(page.at("/result/nextPageToken").asText()), StandardCharsets.UTF_8);
        // Newest first: the second task is on the page, the token names it; either way it names one of acme's.
        assertThat(token).as(page.toString()).matches(".*\\|[0-9a-f-]{36}");
        assertThat(task).isNotEmpty();
    }

    @Test
    void anotherCallersListingDoesNotNameAcmesTasks() throws Exception {
        String first = acmeTask(null, 1)[0];
        String second = acmeTask(null, 2)[0];
        String body = client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "ListTasks", "{\"pageSize\":1}"),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonNode page = JSON.readTree(body);
        String token = page.at("/result/nextPageToken").asText("");
        String decoded = token.isEmpty() ? "" : new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);

        assertThat(page.at("/result/tasks").size()).as(body).isZero();
        assertThat(decoded).as("globex's ListTasks (pageSize 1) hands it acme's task id in nextPageToken: " + body)
                .doesNotContain(first).doesNotContain(second);
        assertThat(page.at("/result/totalSize").asInt()).as("globex holds no task; totalSize counts acme's: " + body).isZero();
    }

    @Test
    void restListTasksOfAnotherCallersContextIsRefusedAsOverJsonRpc() throws Exception {
        String[] acme = acmeTask("ctx-acme-3b1f", 1);
        acmeTask("ctx-acme-3b1f", 2);
        acmeTask("ctx-acme-3b1f", 3);
        HttpResponse<String> rpc = client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "ListTasks",
                "{\"contextId\":\"" + acme[1] + "\"}"), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> rest = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/rest/tasks?pageSize=1&contextId="
                        + URLEncoder.encode(acme[1], StandardCharsets.UTF_8)))).timeout(Duration.ofSeconds(30))
                .header("A2A-Version", "1.0").header("X-Waxell-AXID", tokens.token("globex", "a")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(rpc.statusCode()).as("JSON-RPC ListTasks of acme's context: " + rpc.body()).isEqualTo(404);
        assertThat(rest.statusCode()).as("REST GET /tasks?contextId=<acme's> (the SDK filters on the query's contextId): "
                + rest.body()).isEqualTo(404);
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
