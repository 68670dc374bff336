package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AZ: in cached mode a call's hold lives in its tree's {@link TreeAccount}, and the accounts are kept in a cache
 * that drops an account after one hour without access (SpendCache: {@code expireAfterAccess(1h)}), although a hold may
 * outlive that: an ask-client question's hold, parked while the user decides (fixO), or a held 2025 call's, both for the
 * approval's timeout. Once the tree has been quiet for an hour, its account is dropped with the hold in it: the next
 * call gets a new account that holds nothing, so calls made meanwhile spend the held amount, and the approved retry
 * (decided on the spend minus the hold it took over, BudgetFacts.alreadyHolding, a hold that spend no longer counts)
 * then takes the tree past its budget on this one replica, by its own calls.
 *
 * <p>Budget $0.50; synthesize ($0.30, asked about, approval timeout 3 h); search ($0.05). One gateway, cached mode. The
 * hour without access is emulated by emptying the spend cache (what expiry does); nothing else is changed.
 */
class ParkedHoldAccountEvictedReviewAZTest {

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
                approval: {timeout: 3h, on-timeout: deny, ask-client: true}
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
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
    }

    @Test
    void aHoldParkedLongerThanAnHourStillCountsAndTheTreeNeverPassesItsBudget() throws Exception {
        RunningGateway g = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
        gateways.add(g);
        String token = fixture.token("acme", "tree-e");
        JsonNode asked = call(g, token, "synthesize", 1, null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        assertThat(g.gateway().services().budgets().questionHoldsParkedHere()).isEqualTo(1);

        quietForAnHour(g.gateway().services().budgets().cache());

        int searches = searchesRun(g, token, 10);
        JsonNode done = call(g, token, "synthesize", 2, asked.at("/result/requestState").asText(), yes());
        long ran = searches * 50_000L + ("ok".equals(done.at("/result/content/0/text").asText()) ? 300_000L : 0L);
        // Every charge that ran reaches the ledger.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(spent(g, "tree-e")).isEqualTo(ran));
        assertThat(ran)
                .as("one replica never takes a tree past its budget by its own calls: %d searches ran while the user decided"
                        + " (4 fit beside the held $0.30), then the approved synthesize: %s", searches, done)
                .isLessThanOrEqualTo(500_000);
    }

    /** The same hour, read more closely: the parked hold still counts (4 searches fit), and the approved call goes on. */
    @Test
    void aParkedHoldStillCountsAfterItsAccountWentUnreadAndTheApprovedCallGoesOn() throws Exception {
        RunningGateway g = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
        gateways.add(g);
        String token = fixture.token("acme", "tree-f");
        JsonNode asked = call(g, token, "synthesize", 1, null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");

        quietForAnHour(g.gateway().services().budgets().cache());

        assertThat(searchesRun(g, token, 10)).as("$0.05 searches beside the parked $0.30 on a $0.50 budget").isEqualTo(4);
        JsonNode done = call(g, token, "synthesize", 2, asked.at("/result/requestState").asText(), yes());
        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(spent(g, "tree-f")).isEqualTo(500_000));
    }

    /** An hour without a call on the tree: the spend cache's entries have expired (accounts after 1 h, reads long before). */
    private static void quietForAnHour(SpendCache cache) throws Exception {
        for (String name : new String[] {"accounts", "readings"}) {
            java.lang.reflect.Field field = SpendCache.class.getDeclaredField(name);
            field.setAccessible(true);
            Object value = field.get(cache);
            if (value instanceof com.github.benmanes.caffeine.cache.AsyncCache<?, ?> async) {
                async.synchronous().invalidateAll();
            } else {
                ((com.github.benmanes.caffeine.cache.Cache<?, ?>) value).invalidateAll();
            }
        }
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
