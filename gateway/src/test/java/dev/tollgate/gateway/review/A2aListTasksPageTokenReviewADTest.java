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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AD: A2A ListTasks page tokens, against the real @a2a-js/sdk 1.3.0 agent. The SDK's {@code nextPageToken} is
 * base64({@code status timestamp|task id}) of the page's last task, whoever's; a token naming no task it holds gets an empty
 * page, one naming a task the page after it. The gateway relayed the agent's token (dropping it when the page ended on
 * another caller's task, which ended that caller's listing: review N) and forwarded any token a caller sent. Now it hands
 * out tokens sealed to caller and route, gives the agent its own back, and refuses every other (400 invalid params,
 * nothing forwarded); an agent's error to a page asked for with a token the gateway unsealed is replaced by its own.
 */
class A2aListTasksPageTokenReviewADTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Sealed values open this long: the expiry test waits it out. */
    private static final int MAX_AGE_SECONDS = 5;

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
        // Two routes to the one agent: a token handed out on one is not the other's.
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                sessions: {max-age: %ds}
                %s
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: p}
                  - {name: echo-again, path: /agents/again, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(policies, MAX_AGE_SECONDS, tokens.identityYaml().strip(), agent.url(""), agent.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private HttpResponse<String> rpc(String route, String tenant, String method, String params) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url(route + "/a2a/jsonrpc"))).timeout(TIMEOUT)
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("Accept", "application/json")
                .header("X-Waxell-AXID", tokens.token(tenant, "a"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> restList(String tenant, String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/rest/tasks?" + query))).timeout(TIMEOUT)
                .header("A2A-Version", "1.0").header("X-Waxell-AXID", tokens.token(tenant, "a")).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A completed task of the tenant's, sent through the gateway (so it is bound to the tenant); its id. */
    private String task(String tenant, int n) throws Exception {
        JsonNode sent = JSON.readTree(rpc("/agents/echo", tenant, "SendMessage", "{\"message\":{\"messageId\":\"m-" + tenant + "-" + n
                + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"" + tenant + " plan " + n + "\"}]}}").body());
        String id = sent.at("/result/task/id").asText();
        assertThat(id).as(sent.toString()).isNotEmpty();
        Thread.sleep(5); // a status timestamp of its own: the agent lists newest first
        return id;
    }

    /** acme, globex, acme, globex, acme: newest first, a page of two ends on globex's task twice. */
    private Map<String, List<String>> interleavedTasks() throws Exception {
        List<String> acme = new ArrayList<>();
        List<String> globex = new ArrayList<>();
        acme.add(task("acme", 1));
        globex.add(task("globex", 1));
        acme.add(task("acme", 2));
        globex.add(task("globex", 2));
        acme.add(task("acme", 3));
        return Map.of("acme", newestFirst(acme), "globex", newestFirst(globex));
    }

    private static List<String> newestFirst(List<String> ids) {
        List<String> reversed = new ArrayList<>(ids);
        java.util.Collections.reverse(reversed);
        return reversed;
    }

    /** Every task the tenant is listed, page by page (pageSize as given); the tokens it was handed, the last one "" or absent. */
    private List<String> listAll(String tenant, int pageSize, boolean rest, List<String> handed) throws Exception {
        List<String> listed = new ArrayList<>();
        String token = null;
        for (int page = 0; page < 10; page++) {
            JsonNode answer;
            if (rest) {
                HttpResponse<String> r = restList(tenant, "pageSize=" + pageSize
                        + (token == null ? "" : "&pageToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                answer = JSON.readTree(r.body());
            } else {
                HttpResponse<String> r = rpc("/agents/echo", tenant, "ListTasks", "{\"pageSize\":" + pageSize
                        + (token == null ? "" : ",\"pageToken\":\"" + token + "\"") + "}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                answer = JSON.readTree(r.body()).path("result");
            }
            answer.path("tasks").forEach(t -> listed.add(t.path("id").asText()));
            token = answer.path("nextPageToken").asText("");
            handed.add(token);
            if (token.isEmpty()) {
                break;
            }
        }
        return listed;
    }

    /** What the agent's token says in clear (base64 of "timestamp|task id"), or "" when it is not the agent's. */
    private static String agentReading(String token) {
        try {
            return new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return "";
        }
    }

    /**
     * The requests the agent logged, markers left out, once every line it printed before now has been read: its output is
     * read on another thread, and a count "settled" for 100 ms could still miss a line a loaded machine hands over later.
     */
    private int agentRequestsSettled() throws Exception {
        int end = agent.markAfterPosting("/marker");
        return (int) agent.output().substring(0, end).lines().filter(line -> line.startsWith("REQ ") && !line.contains("/marker?")).count();
    }

    private static void assertRefusedJsonRpc(HttpResponse<String> answer, String what) throws Exception {
        JsonNode body = JSON.readTree(answer.body());
        assertThat(answer.statusCode()).as(what + ": " + answer.body()).isEqualTo(400);
        assertThat(body.at("/error/code").asInt()).as(what + ": " + answer.body()).isEqualTo(-32602);
        assertThat(body.at("/error/data/reason").asText()).as(what + ": " + answer.body()).isEqualTo("invalid_params");
        assertThat(body.at("/id").asInt()).as(what + ": " + answer.body()).isEqualTo(7);
    }

    private static void assertRefusedRest(HttpResponse<String> answer, String what) throws Exception {
        JsonNode body = JSON.readTree(answer.body());
        assertThat(answer.statusCode()).as(what + ": " + answer.body()).isEqualTo(400);
        assertThat(body.at("/error/status").asText()).as(what + ": " + answer.body()).isEqualTo("INVALID_ARGUMENT");
        assertThat(body.at("/error/details/0/reason").asText()).as(what + ": " + answer.body()).isEqualTo("INVALID_PARAMS");
        assertThat(body.at("/error/details/0/metadata/reason").asText()).as(what + ": " + answer.body()).isEqualTo("invalid_params");
    }

    @Test
    void aCallerPagesThroughAllItsTasksPastPagesEndingOnAnotherCallersTask() throws Exception {
        Map<String, List<String>> tasks = interleavedTasks();
        List<String> acmeTokens = new ArrayList<>();
        List<String> globexTokens = new ArrayList<>();

        List<String> acmeListed = listAll("acme", 2, false, acmeTokens);
        // A page of one: globex's first page (acme's newest task) is empty once filtered, and must still lead on.
        List<String> globexListed = listAll("globex", 1, false, globexTokens);

        assertThat(acmeListed).as("acme's pages of two end on globex's tasks; tokens " + acmeTokens).containsExactlyElementsOf(tasks.get("acme"));
        assertThat(globexListed).as("globex's first page holds only acme's task; tokens " + globexTokens)
                .containsExactlyElementsOf(tasks.get("globex"));
        // The last page says "no more" as the agent does: the empty string, as it is.
        assertThat(acmeTokens.get(acmeTokens.size() - 1)).isEmpty();
        List<String> every = new ArrayList<>(tasks.get("acme"));
        every.addAll(tasks.get("globex"));
        for (String token : concat(acmeTokens, globexTokens)) {
            assertThat(every).as("a token handed out names no task in clear: " + agentReading(token))
                    .noneMatch(id -> agentReading(token).contains(id) || token.contains(id));
        }
    }

    @Test
    void anHttpJsonListingPagesOnWithSealedTokens() throws Exception {
        Map<String, List<String>> tasks = interleavedTasks();
        List<String> handed = new ArrayList<>();

        List<String> listed = listAll("acme", 2, true, handed);

        assertThat(listed).as("GET /tasks?pageSize=2, tokens " + handed).containsExactlyElementsOf(tasks.get("acme"));
        List<String> every = new ArrayList<>(tasks.get("acme"));
        every.addAll(tasks.get("globex"));
        assertThat(handed.subList(0, handed.size() - 1)).isNotEmpty().allSatisfy(token -> assertThat(every)
                .as("a token handed out names no task in clear: " + agentReading(token)).noneMatch(id -> agentReading(token).contains(id)));
    }

    @Test
    void aMadeUpTokenIsRefusedAndNothingReachesTheAgent() throws Exception {
        Map<String, List<String>> tasks = interleavedTasks();
        // The agent's own token for the page after acme's newest task, as a caller could write it from a task id it learnt.
        JsonNode direct = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(agent.url("/a2a/jsonrpc"))).timeout(TIMEOUT)
                .header("Content-Type", "application/json").header("A2A-Version", "1.0")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ListTasks\",\"params\":{\"pageSize\":1}}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        String agentToken = direct.at("/result/nextPageToken").asText();
        assertThat(agentReading(agentToken)).as(direct.toString()).contains(tasks.get("acme").get(0));
        int before = agentRequestsSettled();

        List<HttpResponse<String>> jsonRpc = List.of(
                rpc("/agents/echo", "globex", "ListTasks", "{\"pageToken\":\"" + agentToken + "\"}"),
                rpc("/agents/echo", "globex", "ListTasks", "{\"page_token\":\"" + agentToken + "\"}"),
                rpc("/agents/echo", "globex", "ListTasks", "{\"pageToken\":12345}"),
                rpc("/agents/echo", "globex", "ListTasks", "{\"pageToken\":\"\",\"page_token\":\"" + agentToken + "\"}"));
        // Control: A2A has no batches, and the parse stage refuses one before any token is read (as before this fix).
        HttpResponse<String> batch = http.send(HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc"))).timeout(TIMEOUT)
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("X-Waxell-AXID", tokens.token("globex", "a"))
                .POST(HttpRequest.BodyPublishers.ofString("[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ListTasks\",\"params\":{\"pageToken\":\""
                        + agentToken + "\"}}]")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> rest = restList("globex", "pageToken=" + URLEncoder.encode(agentToken, StandardCharsets.UTF_8));
        HttpResponse<String> restTwice = restList("globex", "pageToken=&pageToken=" + URLEncoder.encode(agentToken, StandardCharsets.UTF_8));

        for (HttpResponse<String> answer : jsonRpc) {
            assertRefusedJsonRpc(answer, "JSON-RPC ListTasks with a token the gateway did not hand out");
            assertThat(answer.body()).doesNotContain(tasks.get("acme").get(1));
        }
        assertThat(batch.statusCode()).as("a batch: " + batch.body()).isEqualTo(400);
        assertThat(batch.body()).doesNotContain(tasks.get("acme").get(1));
        assertRefusedRest(rest, "GET /tasks?pageToken=<the agent's own>");
        assertRefusedRest(restTwice, "GET /tasks naming pageToken twice");
        assertThat(JSON.readTree(rest.body()).at("/error/details/0/metadata/detail").asText()).contains("not one this gateway handed you");
        assertThat(agentRequestsSettled()).as("requests that reached the agent").isEqualTo(before);
    }

    @Test
    void anotherCallersAnotherRoutesOrAnExpiredTokenIsRefusedAndNotForwarded() throws Exception {
        interleavedTasks();
        HttpResponse<String> first = rpc("/agents/echo", "acme", "ListTasks", "{\"pageSize\":1}");
        String acmeToken = JSON.readTree(first.body()).at("/result/nextPageToken").asText();
        assertThat(acmeToken).as(first.body()).isNotEmpty();
        // Control: the same token takes acme on, on its route.
        HttpResponse<String> next = rpc("/agents/echo", "acme", "ListTasks", "{\"pageSize\":1,\"pageToken\":\"" + acmeToken + "\"}");
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        int before = agentRequestsSettled();

        HttpResponse<String> globexWithIt = rpc("/agents/echo", "globex", "ListTasks", "{\"pageSize\":1,\"pageToken\":\"" + acmeToken + "\"}");
        HttpResponse<String> otherRoute = rpc("/agents/again", "acme", "ListTasks", "{\"pageSize\":1,\"pageToken\":\"" + acmeToken + "\"}");
        HttpResponse<String> globexRest = restList("globex", "pageSize=1&pageToken=" + URLEncoder.encode(acmeToken, StandardCharsets.UTF_8));

        assertRefusedJsonRpc(globexWithIt, "globex with acme's token");
        assertRefusedJsonRpc(otherRoute, "acme's token on another route to the same agent");
        assertRefusedRest(globexRest, "globex with acme's token over HTTP+JSON");
        assertThat(agentRequestsSettled()).as("requests that reached the agent").isEqualTo(before);

        Thread.sleep((MAX_AGE_SECONDS + 1) * 1000L + 500);
        HttpResponse<String> expired = rpc("/agents/echo", "acme", "ListTasks", "{\"pageSize\":1,\"pageToken\":\"" + acmeToken + "\"}");
        assertRefusedJsonRpc(expired, "acme's own token, older than sessions.max-age");
        assertThat(agentRequestsSettled()).as("requests that reached the agent").isEqualTo(before);
    }

    @Test
    void anAgentsErrorToAPageAskedWithASealedTokenIsReplacedByTheGatewaysOwn() throws Exception {
        interleavedTasks();
        String rpcToken = JSON.readTree(rpc("/agents/echo", "acme", "ListTasks", "{\"pageSize\":1}").body()).at("/result/nextPageToken").asText();
        String restToken = JSON.readTree(restList("acme", "pageSize=1").body()).path("nextPageToken").asText();
        assertThat(rpcToken).isNotEmpty();
        assertThat(restToken).isNotEmpty();

        // The agent refuses the page (pageSize out of its range). The SDK's errors do not quote the token, but an agent's
        // may (the MCP TypeScript SDK's "Invalid cursor: <task id>"), and the token names another caller's task: whatever
        // the agent says to such a page, the caller gets the gateway's own answer.
        HttpResponse<String> overRpc = rpc("/agents/echo", "acme", "ListTasks", "{\"pageSize\":500,\"pageToken\":\"" + rpcToken + "\"}");
        HttpResponse<String> overRest = restList("acme", "pageSize=500&pageToken=" + URLEncoder.encode(restToken, StandardCharsets.UTF_8));

        assertRefusedJsonRpc(overRpc, "the agent's error to a page asked with a sealed token");
        assertThat(JSON.readTree(overRpc.body()).at("/error/data/detail").asText()).as(overRpc.body()).contains("no longer pages from this token");
        assertThat(overRpc.body()).doesNotContain("pageSize must be");
        assertRefusedRest(overRest, "the agent's HTTP+JSON error to a page asked with a sealed token");
        assertThat(overRest.body()).doesNotContain("pageSize must be");
        // Control: without a token the agent's own error is relayed as it is.
        HttpResponse<String> plain = rpc("/agents/echo", "acme", "ListTasks", "{\"pageSize\":500}");
        assertThat(plain.body()).as(plain.body()).contains("pageSize must be");
    }

    @Test
    void onARouteWithTwoInstancesTheNextPageIsAskedOfTheInstanceThatListedThePage() throws Exception {
        try (NodeServer second = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "2"));
                RunningGateway balanced = RunningGateway.start(vertx, """
                        listeners: [{name: public, host: 127.0.0.1, port: 0}]
                        admin: {host: 127.0.0.1, port: 0}
                        policies: {directory: %s}
                        %s
                        routes:
                          - name: echo-pair
                            path: /agents/pair
                            protocol: a2a
                            policy: p
                            upstreams: [{url: "%s"}, {url: "%s"}]
                            balance: round-robin
                        """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), agent.url(""), second.url("")))) {
            String url = balanced.url("/agents/pair/a2a/jsonrpc");
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> sent = http.send(post(url, "acme", "SendMessage", "{\"message\":{\"messageId\":\"m-pair-" + i
                        + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"pair " + i + "\"}]}}"), HttpResponse.BodyHandlers.ofString());
                assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
                Thread.sleep(5);
            }
            List<String> first = directListing(agent);
            List<String> other = directListing(second);
            assertThat(first).as("round-robin: each instance holds two of acme's tasks").hasSize(2);
            assertThat(other).hasSize(2);

            List<String> listed = new ArrayList<>();
            String token = null;
            for (int page = 0; page < 5; page++) {
                HttpResponse<String> r = http.send(post(url, "acme", "ListTasks", "{\"pageSize\":1"
                        + (token == null ? "" : ",\"pageToken\":\"" + token + "\"") + "}"), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode result = JSON.readTree(r.body()).path("result");
                result.path("tasks").forEach(t -> listed.add(t.path("id").asText()));
                token = result.path("nextPageToken").asText("");
                if (token.isEmpty()) {
                    break;
                }
            }
            // Round-robin sends every other page to the other instance, where the agent's token names no task (an empty
            // last page): the listing is whole only when each page is asked of the instance that listed the one before.
            assertThat(listed).as("acme's listing, page by page").isIn(first, other);
        }
    }

    private HttpRequest post(String url, String tenant, String method, String params) throws Exception {
        return HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).header("Content-Type", "application/json").header("A2A-Version", "1.0")
                .header("X-Waxell-AXID", tokens.token(tenant, "a"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}")).build();
    }

    /** The tasks one agent instance holds, newest first, as it lists them to anyone. */
    private List<String> directListing(NodeServer instance) throws Exception {
        JsonNode answer = JSON.readTree(http.send(post(instance.url("/a2a/jsonrpc"), "acme", "ListTasks", "{}"), HttpResponse.BodyHandlers.ofString()).body());
        List<String> ids = new ArrayList<>();
        answer.at("/result/tasks").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
