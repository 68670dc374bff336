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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AH (A2A ListTasks page tokens, real @a2a-js/sdk 1.3.0 agent). Since fixH1 a page that ends on another caller's
 * task is no longer cut off: the caller is handed a sealed token that, opened, is the agent's base64(timestamp|id) of
 * THAT task. The seal binds caller and route, not the listing the token was handed out for: the caller can replay it with
 * another {@code status} (or {@code statusTimestampAfter}, {@code contextId}) filter, and the SDK pages from the other
 * caller's task only if that task is in the filtered list, else answers an empty page. So the caller's own tasks appear
 * or vanish according to the state of a task it may not see: an oracle on another caller's task state.
 */
class A2aPageTokenFilterReplayReviewAHTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer agent;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

    @BeforeEach
    void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "2"));
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
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> rpc(String tenant, String method, String params) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc"))).timeout(TIMEOUT)
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("Accept", "application/json")
                .header("X-Waxell-AXID", tokens.token(tenant, "a"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String send(String tenant, String text, boolean returnImmediately) throws Exception {
        HttpResponse<String> sent = rpc(tenant, "SendMessage", "{\"message\":{\"messageId\":\"m-" + System.nanoTime()
                + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"" + text + "\"}]}"
                + (returnImmediately ? ",\"configuration\":{\"returnImmediately\":true}" : "") + "}");
        String id = JSON.readTree(sent.body()).at("/result/task/id").asText();
        assertThat(id).as(sent.body()).isNotEmpty();
        return id;
    }

    private static List<String> ids(HttpResponse<String> listed) throws Exception {
        List<String> ids = new ArrayList<>();
        JSON.readTree(listed.body()).at("/result/tasks").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    @Test
    void aSealedTokenReplayedUnderAnotherStatusFilterTellsTheStateOfAnotherCallersTask() throws Exception {
        String acmeCompleted = send("acme", "acme done", false);
        Thread.sleep(50);
        String acmeWorking = send("acme", "slow", true); // stays WORKING (the echo agent parks "slow")
        Thread.sleep(200);
        send("globex", "globex secret", false); // the newest task: globex's, COMPLETED
        Thread.sleep(50);

        // acme's first page of one holds only globex's task: filtered out, a sealed token to page on from it.
        HttpResponse<String> first = rpc("acme", "ListTasks", "{\"pageSize\":1}");
        JsonNode page = JSON.readTree(first.body()).path("result");
        assertThat(page.path("tasks").size()).as(first.body()).isZero();
        String token = page.path("nextPageToken").asText();
        assertThat(token).as(first.body()).isNotEmpty();
        // Control: without a token, status=WORKING lists acme's working task.
        assertThat(ids(rpc("acme", "ListTasks", "{\"status\":\"TASK_STATE_WORKING\"}"))).containsExactly(acmeWorking);

        HttpResponse<String> underCompleted = rpc("acme", "ListTasks", "{\"pageSize\":10,\"status\":\"TASK_STATE_COMPLETED\",\"pageToken\":\"" + token + "\"}");
        HttpResponse<String> underWorking = rpc("acme", "ListTasks", "{\"pageSize\":10,\"status\":\"TASK_STATE_WORKING\",\"pageToken\":\"" + token + "\"}");

        // Today: 200 [acmeCompleted] under COMPLETED and 200 [] under WORKING (acme's own working task vanished): globex's
        // task is COMPLETED, and acme learnt it. A token should page only the listing it was handed out for.
        String seen = underCompleted.statusCode() + " " + (underCompleted.statusCode() == 200 ? ids(underCompleted) : "")
                + " / " + underWorking.statusCode() + " " + (underWorking.statusCode() == 200 ? ids(underWorking) : "");
        assertThat(underCompleted.statusCode()).as("replayed under status=COMPLETED: " + seen + " (acme's completed task: " + acmeCompleted + ")")
                .isEqualTo(400);
        assertThat(underWorking.statusCode()).as("replayed under status=WORKING: " + seen).isEqualTo(400);
    }
}
