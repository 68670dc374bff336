package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget hold of a 2026-07-28 ask-client question is parked for the retry carrying the user's answer (review AW):
 * with the Redis ledger in strict mode a retry reaching another replica takes it over there, a replayed retry cannot take
 * it over again (nor release it under the call that did), and an answer that is not a yes releases it.
 *
 * <p>Budget $0.50; synthesize ($0.30) is asked about; search ($0.05) is not. While the question is open its $0.30 stays
 * held: four searches fit, the fifth does not.
 */
class AskClientQuestionHoldTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: tree-budget
                condition: {all: [{tool: "*"}, {check: {name: budget, args: {limit_usd: 0.50}}}]}
                action: deny
                message: spawn tree budget exhausted
              - name: ask-before-synthesize
                condition: {tool: synthesize}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, ask-client: true}
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private BudgetFixture fixture;
    private final List<RunningGateway> gateways = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        fixture = new BudgetFixture(dir);
        fixture.answerToolCalls(upstream);
        fixture.policy(POLICY);
    }

    @AfterEach
    void stop() throws Exception {
        for (RunningGateway g : gateways) {
            g.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        if (redis != null) {
            redis.close();
        }
    }

    /** Two replicas sharing Redis for the strict ledger and the approvals. */
    private List<RunningGateway> redisReplicas() throws Exception {
        return redisReplicas("budgets: {ledger: redis, mode: strict, pricing: PRICING}");
    }

    private List<RunningGateway> redisReplicas(String budgets) throws Exception {
        redis = RedisServer.start();
        long prefix = System.nanoTime();
        for (int i = 0; i < 2; i++) {
            gateways.add(RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"),
                    "redis: {uri: \"" + redis.uri() + "\", timeout: 500ms, key-prefix: \"hold-" + prefix + "\"}\n"
                            + "approvals: {store: redis}\n"
                            + budgets)));
        }
        return gateways;
    }

    @Test
    void aRetryOnAnotherReplicaTakesOverTheQuestionsHoldKeptInRedis() throws Exception {
        List<RunningGateway> replicas = redisReplicas();
        String token = fixture.token("acme", "tree-r");
        JsonNode asked = call(replicas.get(0), token, "synthesize", 1, null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");

        assertThat(searchesRun(replicas.get(1), token, 6)).as("the question's $0.30 stays held in Redis while the user decides").isEqualTo(4);

        JsonNode done = call(replicas.get(1), token, "synthesize", 2, asked.at("/result/requestState").asText(), yes());
        assertThat(done.at("/result/content/0/text").asText()).as("the retry on the other replica takes the hold over: %s", done)
                .isEqualTo("ok");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spent(replicas.get(0), "tree-r")).isEqualTo(500_000));
        for (RunningGateway g : replicas) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(g.gateway().services().budgets().holdsRenewing()).isZero());
        }
        assertThat(searchesRun(replicas.get(0), token, 2)).as("the hold was paid once, and is held no more").isZero();
    }

    /**
     * The approved retry's call is still running on one replica when the same retry is replayed to the other: the replay
     * must not take the hold over (and release it when refused), or the running call's payment would find it settled.
     */
    @Test
    void aReplayedRetryDoesNotSettleTheHoldItsCallIsRunningOn() throws Exception {
        List<RunningGateway> replicas = redisReplicas();
        AtomicReference<HttpServerRequest> synthesizing = new AtomicReference<>();
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (body.contains("synthesize")) {
                synthesizing.set(request); // answered once the replay has been refused
            } else {
                request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":"
                        + body.replaceAll("(?s).*\"id\":(\\d+).*", "$1") + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");
            }
        });
        String token = fixture.token("acme", "tree-p");
        JsonNode asked = call(replicas.get(0), token, "synthesize", 1, null, null);
        String state = asked.at("/result/requestState").asText();

        CompletableFuture<JsonNode> approved = CompletableFuture.supplyAsync(() -> {
            try {
                return call(replicas.get(1), token, "synthesize", 2, state, yes());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> synthesizing.get() != null);
        JsonNode replayed = call(replicas.get(0), token, "synthesize", 3, state, yes());
        assertThat(replayed.has("error")).as("the replay is refused: %s", replayed).isTrue();
        synthesizing.get().response().putHeader("content-type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");

        assertThat(approved.get().at("/result/content/0/text").asText()).as(approved.get().toString()).isEqualTo("ok");
        assertThat(upstream.received().stream().filter(r -> r.body().toString().contains("synthesize")).count()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spent(replicas.get(0), "tree-p"))
                .as("the approved call paid its $0.30 once: the replay neither released its hold nor paid it").isEqualTo(300_000));
        for (RunningGateway g : replicas) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(g.gateway().services().budgets().holdsRenewing()).isZero());
        }
        assertThat(searchesRun(replicas.get(0), token, 6)).as("$0.30 spent, nothing held: $0.20 left").isEqualTo(4);
    }

    @Test
    void aDeclinedAnswerReleasesTheQuestionsHold() throws Exception {
        RunningGateway g = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
        gateways.add(g);
        String token = fixture.token("acme", "tree-d");
        JsonNode asked = call(g, token, "synthesize", 1, null, null);
        assertThat(g.gateway().services().budgets().questionHoldsParkedHere()).as("the question's hold is parked").isEqualTo(1);

        JsonNode no = JSON.createObjectNode().put("action", "decline");
        JsonNode refused = call(g, token, "synthesize", 2, asked.at("/result/requestState").asText(), no);

        assertThat(refused.at("/error/data/reason").asText()).as(refused.toString()).isEqualTo("approval_denied");
        assertThat(g.gateway().services().budgets().questionHoldsParkedHere()).isZero();
        assertThat(searchesRun(g, token, 11)).as("nothing of the declined call stays held: the whole $0.50 is left").isEqualTo(10);
    }

    /** No retry comes: the approval's timeout ends it without a yes, and the question's hold is released then. */
    @Test
    void anApprovalTimingOutWithoutARetryReleasesTheQuestionsHold() throws Exception {
        fixture.policy(POLICY.replace("timeout: 30s", "timeout: 1s"));
        RunningGateway g = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
        gateways.add(g);
        String token = fixture.token("acme", "tree-t");
        call(g, token, "synthesize", 1, null, null);
        assertThat(searchesRun(g, token, 5)).as("held while the approval is pending").isEqualTo(4);

        await().atMost(Duration.ofSeconds(10)).until(() -> g.gateway().services().budgets().questionHoldsParkedHere() == 0);
        assertThat(searchesRun(g, token, 7)).as("$0.20 spent, nothing held once the approval timed out").isEqualTo(6);
    }

    @Test
    void aNoTakenOnAnotherReplicaReleasesTheHoldKeptInRedis() throws Exception {
        List<RunningGateway> replicas = redisReplicas();
        String token = fixture.token("acme", "tree-n");
        JsonNode asked = call(replicas.get(0), token, "synthesize", 1, null, null);

        JsonNode no = JSON.createObjectNode().put("action", "decline");
        JsonNode refused = call(replicas.get(1), token, "synthesize", 2, asked.at("/result/requestState").asText(), no);

        assertThat(refused.at("/error/data/reason").asText()).as(refused.toString()).isEqualTo("approval_denied");
        // The holder learns the ending through Redis (published, so a moment later) and releases the hold.
        await().atMost(Duration.ofSeconds(5)).until(() -> searchesRun(replicas.get(0), token, 1) == 1);
        assertThat(searchesRun(replicas.get(1), token, 10)).as("$0.05 spent since, nothing held").isEqualTo(9);
    }

    /**
     * Cached mode: the question's hold is this replica's own, so a retry reaching the other replica holds anew there. Once
     * the approval has ended with that yes, the first replica keeps its parked hold hold-expiry more, not the requestState's
     * whole life: it would only shrink the budget.
     */
    @Test
    void inCachedModeAYesTakenOnAnotherReplicaLetsTheQuestionsReplicaReleaseItsHoldSoon() throws Exception {
        List<RunningGateway> replicas = redisReplicas("budgets: {ledger: redis, mode: cached, hold-expiry: 1s, pricing: PRICING}");
        String token = fixture.token("acme", "tree-c");
        JsonNode asked = call(replicas.get(0), token, "synthesize", 1, null, null);
        assertThat(replicas.get(0).gateway().services().budgets().questionHoldsParkedHere()).isEqualTo(1);

        JsonNode done = call(replicas.get(1), token, "synthesize", 2, asked.at("/result/requestState").asText(), yes());

        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas.get(0).gateway().services().budgets().questionHoldsParkedHere() == 0);
    }

    private int searchesRun(RunningGateway g, String token, int count) throws Exception {
        int run = 0;
        for (int i = 0; i < count; i++) {
            if ("ok".equals(call(g, token, "search-web", 100 + i, null, null).at("/result/content/0/text").asText())) {
                run++;
            }
        }
        return run;
    }

    private static long spent(RunningGateway g, String tree) throws Exception {
        return g.gateway().services().budgets().ledger().spent(new SpendKey("acme", tree)).toCompletableFuture().get();
    }

    private static ObjectNode yes() {
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        return yes;
    }

    private JsonNode call(RunningGateway gateway, String token, String tool, int id, String state, JsonNode answer) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
        params.putObject("arguments").put("topic", "q3");
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (state != null) {
            params.putObject("inputResponses").set("tollgate-approval", answer);
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .header("X-Waxell-AXID", token).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
