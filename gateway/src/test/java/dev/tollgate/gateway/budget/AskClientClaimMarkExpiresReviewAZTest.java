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
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AZ: the one-time claim of a parked ask-client question hold (RedisSpendLedger CLAIM) is guarded by a
 * {@code claimed:<hold id>} marker that lives hold-expiry + 1 h, while the hold it guards lives as long as the approved call
 * that took it over runs (its replica renews it; an SSE-answered call is never cut by response-timeout). Once the marker
 * has expired, the same retry replayed to another replica (its requestState is valid for sessions.max-age, 24 h) claims
 * the running call's hold again. The replay is then refused 409 (one approval, one call), and its refusal releases the
 * hold it took: the running call's hold is gone mid-call, and its own commit later finds the hold id settled (SETTLE's
 * settled marker), so the call's cost is never recorded. The approved call ran and paid nothing.
 *
 * <p>Real redis-server, two replicas, strict Redis ledger. The marker's expiry (hold-expiry + 1 h of a long call) is
 * emulated by shortening its TTL once the test has checked it has one.
 */
class AskClientClaimMarkExpiresReviewAZTest {

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
    private Redis direct;
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
        redis = RedisServer.start();
        direct = Redis.createClient(vertx, redis.uri());
        long prefix = System.nanoTime();
        for (int i = 0; i < 2; i++) {
            gateways.add(RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"),
                    "redis: {uri: \"" + redis.uri() + "\", timeout: 500ms, key-prefix: \"az-" + prefix + "\"}\n"
                            + "approvals: {store: redis}\n"
                            + "budgets: {ledger: redis, mode: strict, pricing: PRICING}")));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (RunningGateway g : gateways) {
            g.close();
        }
        upstream.close();
        direct.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        redis.close();
    }

    @Test
    void aReplayAfterTheClaimMarkExpiredDoesNotReleaseTheRunningCallsHoldNorLoseItsCost() throws Exception {
        AtomicReference<HttpServerRequest> synthesizing = new AtomicReference<>();
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (body.contains("synthesize")) {
                synthesizing.set(request); // a long call: answered at the end of the test
            } else {
                request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":"
                        + body.replaceAll("(?s).*\"id\":(\\d+).*", "$1") + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");
            }
        });
        String token = fixture.token("acme", "tree-m");
        JsonNode asked = call(gateways.get(0), token, "synthesize", 1, null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String state = asked.at("/result/requestState").asText();

        CompletableFuture<JsonNode> approved = CompletableFuture.supplyAsync(() -> {
            try {
                return call(gateways.get(1), token, "synthesize", 2, state, yes());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> synthesizing.get() != null);

        // The approved call runs; its claim marker is bounded (hold-expiry + 1 h), the call is not.
        List<String> markers = keys("*:claimed:*");
        assertThat(markers).as("the approved retry claimed the question's hold").hasSize(1);
        long ttl = send(Request.cmd(Command.PTTL).arg(markers.get(0))).toLong();
        assertThat(ttl).as("the claim marker expires (ms left)").isPositive();
        // ... hold-expiry + 1 h later, the call still running (an SSE stream):
        send(Request.cmd(Command.PEXPIRE).arg(markers.get(0)).arg(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> keys("*:claimed:*").isEmpty());

        JsonNode replayed = call(gateways.get(0), token, "synthesize", 3, state, yes());
        assertThat(replayed.has("error")).as("the replay is refused: %s", replayed).isTrue();
        // Whatever the replay held or took, its refusal has settled it in Redis before the long call ends.
        Budgets replaying = gateways.get(0).gateway().services().budgets();
        await().atMost(Duration.ofSeconds(10)).until(() -> replaying.holdsRenewing() == 0 && pendingSettles(replaying) == 0);

        synthesizing.get().response().putHeader("content-type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");
        assertThat(approved.get(10, TimeUnit.SECONDS).at("/result/content/0/text").asText()).isEqualTo("ok");
        assertThat(upstream.received().stream().filter(r -> r.body().toString().contains("synthesize")).count()).isEqualTo(1);
        for (RunningGateway g : gateways) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(g.gateway().services().budgets().holdsRenewing()).isZero());
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spent(gateways.get(0), "tree-m"))
                .as("the approved call ran and must pay its $0.30: the replay took its hold over, released it, and the call's"
                        + " commit found the hold id settled")
                .isEqualTo(300_000));
    }

    private static int pendingSettles(Budgets budgets) throws Exception {
        java.lang.reflect.Method pending = Budgets.class.getDeclaredMethod("pendingSettles");
        pending.setAccessible(true);
        return (int) pending.invoke(budgets);
    }

    private List<String> keys(String pattern) throws Exception {
        List<String> out = new ArrayList<>();
        send(Request.cmd(Command.KEYS).arg(pattern)).forEach(r -> out.add(r.toString()));
        return out;
    }

    private Response send(Request request) throws Exception {
        return direct.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
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
