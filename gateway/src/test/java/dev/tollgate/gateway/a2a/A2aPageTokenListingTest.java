package dev.tollgate.gateway.a2a;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ListTasks page token pages on only the listing it was handed out for (review AH), against the real @a2a-js/sdk 1.3.0
 * agent: sent with another filter ({@code status}, {@code contextId}, {@code tenant}, ...) it is refused 400 invalid params
 * in the call's binding and nothing reaches the agent; with the same filter (another page size, another spelling, the
 * query's pairs in another order) it pages on. Over HTTP+JSON the agent's token is written where the client's stood, every
 * other byte of the query kept; a query naming a parameter the gateway reads after the 1000 pairs Node reads is refused.
 */
class A2aPageTokenListingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String COMPLETED = "TASK_STATE_COMPLETED";

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

    private HttpResponse<String> restList(String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/rest/tasks?" + query))).timeout(TIMEOUT)
                .header("A2A-Version", "1.0").header("X-Waxell-AXID", tokens.token("acme", "a")).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Three completed tasks of acme's, newest first; each with a context of its own. */
    private List<JsonNode> acmeTasks() throws Exception {
        List<JsonNode> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> sent = rpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m-" + i + "-" + System.nanoTime()
                    + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"acme " + i + "\"}]}}");
            JsonNode task = JSON.readTree(sent.body()).at("/result/task");
            assertThat(task.path("id").asText()).as(sent.body()).isNotEmpty();
            tasks.add(0, task);
            Thread.sleep(5); // a status timestamp of its own: the agent lists newest first
        }
        return tasks;
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("tasks").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    /**
     * The agent's request log, markers left out, once every line it printed before now has been read: its output is read
     * on another thread, and a log "settled" for 100 ms could still miss a line a loaded machine hands over later.
     */
    private List<String> agentRequestsSettled() throws Exception {
        int end = agent.markAfterPosting("/marker");
        return agent.output().substring(0, end).lines().filter(line -> line.startsWith("REQ ") && !line.contains("/marker?")).toList();
    }

    private static void assertRefusedJsonRpc(HttpResponse<String> answer, String what) throws Exception {
        JsonNode body = JSON.readTree(answer.body());
        assertThat(answer.statusCode()).as(what + ": " + answer.body()).isEqualTo(400);
        assertThat(body.at("/error/code").asInt()).as(what + ": " + answer.body()).isEqualTo(-32602);
        assertThat(body.at("/error/data/reason").asText()).as(what + ": " + answer.body()).isEqualTo("invalid_params");
        assertThat(body.at("/error/data/detail").asText()).as(what + ": " + answer.body()).contains("for this listing");
    }

    private static void assertRefusedRest(HttpResponse<String> answer, String what, String detail) throws Exception {
        JsonNode body = JSON.readTree(answer.body());
        assertThat(answer.statusCode()).as(what + ": " + answer.body()).isEqualTo(400);
        assertThat(body.at("/error/status").asText()).as(what + ": " + answer.body()).isEqualTo("INVALID_ARGUMENT");
        assertThat(body.at("/error/details/0/metadata/reason").asText()).as(what + ": " + answer.body()).isEqualTo("invalid_params");
        assertThat(body.at("/error/details/0/metadata/detail").asText()).as(what + ": " + answer.body()).contains(detail);
    }

    @Test
    void aJsonRpcTokenSentWithAnotherListingsParametersIsRefusedAndWithTheSameItPagesOn() throws Exception {
        List<JsonNode> tasks = acmeTasks();
        JsonNode first = JSON.readTree(rpc("acme", "ListTasks", "{\"pageSize\":1,\"status\":\"" + COMPLETED + "\"}").body()).path("result");
        assertThat(ids(first)).containsExactly(tasks.get(0).path("id").asText());
        String token = first.path("nextPageToken").asText();
        assertThat(token).as(first.toString()).isNotEmpty();
        String context = tasks.get(1).path("contextId").asText();
        List<String> before = agentRequestsSettled();

        List<HttpResponse<String>> replays = List.of(
                rpc("acme", "ListTasks", "{\"pageSize\":1,\"status\":\"TASK_STATE_WORKING\",\"pageToken\":\"" + token + "\"}"),
                rpc("acme", "ListTasks", "{\"pageSize\":1,\"pageToken\":\"" + token + "\"}"),
                rpc("acme", "ListTasks", "{\"pageSize\":1,\"status\":\"" + COMPLETED + "\",\"contextId\":\"" + context + "\",\"pageToken\":\"" + token + "\"}"),
                rpc("acme", "ListTasks", "{\"pageSize\":1,\"status\":\"" + COMPLETED + "\",\"statusTimestampAfter\":\"2000-01-01T00:00:00Z\",\"pageToken\":\"" + token + "\"}"),
                rpc("acme", "ListTasks", "{\"pageSize\":1,\"status\":\"" + COMPLETED + "\",\"tenant\":\"t1\",\"pageToken\":\"" + token + "\"}"),
                rpc("acme", "ListTasks", "{\"pageSize\":1,\"status\":5,\"pageToken\":\"" + token + "\"}"));
        for (HttpResponse<String> replay : replays) {
            assertRefusedJsonRpc(replay, "a token replayed under another listing");
        }
        HttpResponse<String> overRest = restList("pageSize=1&status=" + COMPLETED + "&pageToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        assertRefusedRest(overRest, "a JSON-RPC listing's token asked of HTTP+JSON", "for this listing");
        assertThat(agentRequestsSettled()).as("requests that reached the agent").isEqualTo(before);

        // The same listing: another page size, history length, spelling of the token, and artifacts shown.
        HttpResponse<String> next = rpc("acme", "ListTasks", "{\"page_size\":5,\"historyLength\":1,\"includeArtifacts\":true,\"status\":\""
                + COMPLETED + "\",\"page_token\":\"" + token + "\"}");
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        assertThat(ids(JSON.readTree(next.body()).path("result"))).as(next.body())
                .containsExactly(tasks.get(1).path("id").asText(), tasks.get(2).path("id").asText());
    }

    @Test
    void anHttpJsonTokenSentWithAnotherQueryIsRefusedAndWithTheSameItPagesOnWrittenWhereTheClientsStood() throws Exception {
        List<JsonNode> tasks = acmeTasks();
        HttpResponse<String> firstAnswer = restList("status=" + COMPLETED + "&pageSize=1");
        JsonNode first = JSON.readTree(firstAnswer.body());
        assertThat(ids(first)).as(firstAnswer.body()).containsExactly(tasks.get(0).path("id").asText());
        String token = URLEncoder.encode(first.path("nextPageToken").asText(), StandardCharsets.UTF_8);
        List<String> before = agentRequestsSettled();

        assertRefusedRest(restList("status=TASK_STATE_WORKING&pageSize=1&pageToken=" + token), "another status", "for this listing");
        assertRefusedRest(restList("pageSize=1&pageToken=" + token), "no status", "for this listing");
        assertRefusedRest(restList("status=" + COMPLETED + "&contextId=" + tasks.get(1).path("contextId").asText() + "&pageToken=" + token),
                "a context", "for this listing");
        assertRefusedRest(restList("status=" + COMPLETED + "&status=" + COMPLETED + "&pageToken=" + token), "status twice (Node: an array)",
                "for this listing");
        HttpResponse<String> overRpc = rpc("acme", "ListTasks", "{\"status\":\"" + COMPLETED + "\",\"pageToken\":\""
                + first.path("nextPageToken").asText() + "\"}");
        assertRefusedJsonRpc(overRpc, "an HTTP+JSON listing's token asked over JSON-RPC");
        assertThat(agentRequestsSettled()).as("requests that reached the agent").isEqualTo(before);

        // The same listing, its pairs in another order, an empty pair and a trailing '&': the agent's token where the
        // client's stood, every other byte as sent.
        HttpResponse<String> next = restList("pageToken=" + token + "&&pageSize=2&status=" + COMPLETED + "&");
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        assertThat(ids(JSON.readTree(next.body()))).as(next.body())
                .containsExactly(tasks.get(1).path("id").asText(), tasks.get(2).path("id").asText());
        List<String> after = agentRequestsSettled();
        String forwarded = after.get(after.size() - 1);
        assertThat(forwarded).as("the query the agent got").matches("REQ GET /a2a/rest/tasks\\?pageToken=[^&]+&&pageSize=2&status=" + COMPLETED + "& .*");
        assertThat(forwarded).as("the agent's own token, not the sealed one").doesNotContain(token);
    }

    @Test
    void aQueryNamingWhatTheGatewayReadsAfterTheThousandPairsNodeReadsIsRefused() throws Exception {
        List<JsonNode> tasks = acmeTasks();
        String token = URLEncoder.encode(JSON.readTree(restList("pageSize=1").body()).path("nextPageToken").asText(), StandardCharsets.UTF_8);
        List<String> before = agentRequestsSettled();

        // Node's querystring reads 1000 pairs, empty ones included: the gateway would decide on a context (or open a token)
        // the agent never reads, while another agent reads it.
        assertRefusedRest(restList("pageSize=1" + "&".repeat(1000) + "contextId=" + tasks.get(0).path("contextId").asText()),
                "contextId as pair 1002", "names contextId after its first 1000 pairs");
        assertRefusedRest(restList("pageSize=1" + "&".repeat(1000) + "pageToken=" + token), "pageToken as pair 1002",
                "names pageToken after its first 1000 pairs");
        assertThat(agentRequestsSettled()).as("requests that reached the agent").isEqualTo(before);

        // Control: past the cut, a pair the gateway does not read is the agent's business (the review's test pages so).
        HttpResponse<String> longQuery = restList("pageSize=1" + "&".repeat(1000) + "x=1");
        assertThat(longQuery.statusCode()).as(longQuery.body()).isEqualTo(200);
        assertThat(ids(JSON.readTree(longQuery.body()))).containsExactly(tasks.get(0).path("id").asText());
    }
}
