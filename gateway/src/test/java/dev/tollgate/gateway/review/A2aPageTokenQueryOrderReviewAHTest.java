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
 * Review AH (A2A ListTasks page tokens, real @a2a-js/sdk 1.3.0 agent over HTTP+JSON). The gateway forwards
 * {@code GET /tasks} with the agent's own token in place of the sealed one, but {@link
 * dev.tollgate.protocols.a2a.A2aPageTokens#queryWith} does not put it in place: it drops the client's pair and appends
 * {@code pageToken=...} after every other pair. Express 5 reads the query with Node's {@code querystring.parse}, which reads
 * only the first 1000 pairs ({@code maxKeys}). A query whose token is its second pair, before 999 other (empty) pairs, names the page to
 * the agent when sent to it directly; through the gateway the token is pair 1001, unread, and the agent answers the first
 * page again (with a fresh token to page 2 that leads to the first page again): the listing never moves on.
 */
class A2aPageTokenQueryOrderReviewAHTest {

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

    private HttpResponse<String> restList(String tenant, String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/rest/tasks?" + query))).timeout(TIMEOUT)
                .header("A2A-Version", "1.0").header("X-Waxell-AXID", tokens.token(tenant, "a")).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> restIds(HttpResponse<String> listed) throws Exception {
        List<String> ids = new ArrayList<>();
        JSON.readTree(listed.body()).path("tasks").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    @Test
    void theNextPageIsListedWhenTheTokenComesBeforeManyOtherPairs() throws Exception {
        send("acme", "one", false);
        Thread.sleep(20);
        send("acme", "two", false);
        Thread.sleep(20);
        send("acme", "three", false);
        // Node counts empty pairs too: 998 of them and x=1 after the token make the forwarded token pair 1001.
        String filler = "&".repeat(999) + "x=1";

        HttpResponse<String> first = restList("acme", "pageSize=1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String token = JSON.readTree(first.body()).path("nextPageToken").asText();
        assertThat(token).as(first.body()).isNotEmpty();
        String encoded = java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8);
        // Control: the same page, the token after the page size and without filler, is the second page.
        HttpResponse<String> plain = restList("acme", "pageSize=1&pageToken=" + encoded);
        assertThat(restIds(plain)).as("control").hasSize(1).isNotEqualTo(restIds(first));

        // Control: the agent itself reads a token followed by the same filler (its own token, asked of it directly).
        HttpResponse<String> agentFirst = http.send(HttpRequest.newBuilder(URI.create(agent.url("/a2a/rest/tasks?pageSize=1"))).timeout(TIMEOUT)
                .header("A2A-Version", "1.0").GET().build(), HttpResponse.BodyHandlers.ofString());
        String agentToken = java.net.URLEncoder.encode(JSON.readTree(agentFirst.body()).path("nextPageToken").asText(),
                java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> agentSecond = http.send(HttpRequest.newBuilder(URI.create(agent.url("/a2a/rest/tasks?pageSize=1&pageToken="
                + agentToken + filler))).timeout(TIMEOUT).header("A2A-Version", "1.0").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(restIds(agentSecond)).as("control: the agent read directly").isEqualTo(restIds(plain));

        HttpResponse<String> second = restList("acme", "pageSize=1&pageToken=" + encoded + filler);

        assertThat(second.statusCode()).as("status").isEqualTo(200);
        assertThat(restIds(second)).as("page asked for with 999 pairs after the token; page 1 was " + restIds(first))
                .isEqualTo(restIds(plain));
    }
}
