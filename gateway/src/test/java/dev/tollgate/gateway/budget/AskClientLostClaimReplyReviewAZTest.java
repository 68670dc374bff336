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
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AZ: an approved ask-client retry whose CLAIM of the question's parked hold ran in Redis but whose reply was lost
 * (a connection reset, a timeout) goes on as if nothing had been claimed (QuestionHolds.takeOver recovers to null) and
 * holds the call's estimate anew. The hold it did claim is now nobody's: its claim marker (NX) stops every later claim,
 * including the same retry sent again, and nobody renews or settles it, so it counts against the tree until it lapses
 * after hold-expiry (5 min). With a budget that had room for the approved call (its own hold), the retry and every
 * resend within hold-expiry are refused over budget: the user's yes is refused for a hold nobody holds.
 *
 * <p>Real redis-server; the replica taking the retry reaches Redis through a proxy that lets the CLAIM script run, drops
 * its reply and resets that connection (as a network blip does). Budget $0.50, synthesize $0.30, nothing else spent.
 */
class AskClientLostClaimReplyReviewAZTest {

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
                approval: {timeout: 10m, on-timeout: deny, ask-client: true}
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private Redis direct;
    private NetServer proxy;
    private final AtomicBoolean dropNextClaimReply = new AtomicBoolean();
    private final AtomicBoolean claimReplyDropped = new AtomicBoolean();
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
        proxy = vertx.createNetServer().connectHandler(this::relay);
        proxy.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long prefix = System.nanoTime();
        String[] uris = {redis.uri(), "redis://127.0.0.1:" + proxy.actualPort()};
        for (String uri : uris) {
            gateways.add(RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"),
                    "redis: {uri: \"" + uri + "\", timeout: 500ms, key-prefix: \"azl-" + prefix + "\"}\n"
                            + "approvals: {store: redis}\n"
                            + "budgets: {ledger: redis, mode: strict, pricing: PRICING}")));
        }
    }

    /** Relays to Redis; once armed, a connection that sends a CLAIM (its claimed: key) has the script's reply dropped and is reset
     * (a NOSCRIPT answer to its EVALSHA passes: the client then sends the script itself). */
    private void relay(NetSocket client) {
        client.pause();
        vertx.createNetClient().connect(redis.port(), "127.0.0.1").onSuccess(server -> {
            AtomicBoolean swallow = new AtomicBoolean();
            client.handler(command -> {
                if (command.toString(StandardCharsets.UTF_8).contains(":claimed:") && dropNextClaimReply.compareAndSet(true, false)) {
                    swallow.set(true);
                }
                server.write(command);
            });
            server.handler(reply -> {
                if (swallow.get() && !reply.toString(StandardCharsets.UTF_8).startsWith("-NOSCRIPT")) {
                    claimReplyDropped.set(true);
                    client.close(); // the script ran; its reply never arrives
                    return;
                }
                client.write(reply);
            });
            client.closeHandler(v -> server.close());
            server.closeHandler(v -> client.close());
            client.resume();
        }).onFailure(e -> client.close());
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
    void anApprovedRetryWhoseClaimReplyWasLostStillGoesOnWithinTheBudgetItsQuestionHeld() throws Exception {
        String token = fixture.token("acme", "tree-l");
        JsonNode asked = call(gateways.get(0), token, "synthesize", 1, null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String state = asked.at("/result/requestState").asText();

        dropNextClaimReply.set(true);
        JsonNode first = call(gateways.get(1), token, "synthesize", 2, state, yes());
        assertThat(claimReplyDropped.get()).as("control: the retry's CLAIM ran and its reply was lost").isTrue();
        assertThat(keys("*:claimed:*")).as("control: Redis recorded the claim").hasSize(1);
        JsonNode done = first;
        if (!"ok".equals(first.at("/result/content/0/text").asText())) {
            // The client sends its retry again (Redis answers promptly now).
            done = call(gateways.get(1), token, "synthesize", 3, state, yes());
        }

        assertThat(done.at("/result/content/0/text").asText())
                .as("nothing but this call was ever held or spent on a $0.50 budget: the approved $0.30 call must go on (first"
                        + " attempt: %s; sent again: %s)", first, done)
                .isEqualTo("ok");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spent(gateways.get(0), "tree-l")).isEqualTo(300_000));
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
