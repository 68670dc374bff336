package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.limits.ConcurrentCalls;
import dev.tollgate.gateway.support.RecordingUpstream;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pending 2026-07-28 {@code ask-client} approval holds a slot of its caller's (review AG): its request ended with the
 * question, but the call is still held, as a 2025 call held with its request open is. With one call allowed per caller,
 * a pending approval refuses the caller's next {@code tools/call} 429 {@code caller_concurrency_limit} (nothing forwarded,
 * no second approval), yet the retry carrying the user's answer gets through. However the approval ends (the user's yes
 * or no, an approver, its timeout, the gateway stopping), the slot is given back, once.
 */
class AskClientApprovalSlotTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "tollgate-approval";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}"));
        tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: ask-before-echo
                    condition: {tool: echo}
                    action: approve
                    approval: {timeout: 10m, on-timeout: deny, ask-client: true}
                  - name: ask-briefly
                    condition: {tool: brief}
                    action: approve
                    approval: {timeout: 1s, on-timeout: deny, ask-client: true}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:%d/mcp", policy: p, max-concurrent-calls: 16, max-concurrent-calls-per-caller: 1}
                """.formatted(policies, tokens.identityYaml().strip(), upstream.port()));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPendingApprovalRefusesTheCallersNextCall429AndNothingIsForwardedOrHeld() throws Exception {
        assertThat(call("acme", "echo", "hi", null, null).at("/result/resultType").asText()).isEqualTo("input_required");
        assertThat(held()).isEqualTo(1);

        HttpResponse<String> next = send("acme", "other", "hello", null, null);

        assertThat(next.statusCode()).as(next.body()).isEqualTo(429);
        JsonNode error = JSON.readTree(next.body());
        assertThat(error.at("/error/data/reason").asText()).isEqualTo("caller_concurrency_limit");
        assertThat(error.at("/error/code").asInt()).isEqualTo(-32000);
        assertThat(error.at("/error/data/detail").asText()).contains("pending ask-client approvals");
        assertThat(next.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(send("acme", "echo", "again", null, null).statusCode()).as("no second question").isEqualTo(429);
        assertThat(pending()).isEqualTo(1);
        assertThat(upstream.received()).isEmpty();

        HttpResponse<String> globex = send("globex", "other", "hello", null, null);
        assertThat(globex.statusCode()).as("another caller's limit is its own: " + globex.body()).isEqualTo(200);
    }

    @Test
    void theRetryWithTheUsersYesGetsThroughAtTheLimitAndGivesTheSlotBack() throws Exception {
        String state = call("acme", "echo", "hi", null, null).at("/result/requestState").asText();

        JsonNode done = call("acme", "echo", "hi", state, yes());

        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("done");
        awaitTrue(() -> held() == 0, "the approval's slot given back");
        assertThat(call("acme", "other", "hello", null, null).at("/result/content/0/text").asText()).isEqualTo("done");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void theUsersNoGivesTheSlotBack() throws Exception {
        String state = call("acme", "echo", "hi", null, null).at("/result/requestState").asText();

        JsonNode no = call("acme", "echo", "hi", state, JSON.createObjectNode().put("action", "decline"));

        assertThat(no.at("/error/data/reason").asText()).as(no.toString()).isEqualTo("approval_denied");
        awaitTrue(() -> held() == 0, "the approval's slot given back");
        assertThat(call("acme", "other", "hello", null, null).at("/result/content/0/text").asText()).isEqualTo("done");
    }

    @Test
    void anApproversDecisionGivesTheSlotBack() throws Exception {
        call("acme", "echo", "hi", null, null);
        String id = gateway.gateway().services().approvals().list().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)
                .path("pending").get(0).path("id").asText();
        assertThat(send("acme", "other", "hello", null, null).statusCode()).isEqualTo(429);

        gateway.gateway().services().approvals().decide(id, false, "ops", "not now").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        awaitTrue(() -> held() == 0, "the approval's slot given back");
        assertThat(call("acme", "other", "hello", null, null).at("/result/content/0/text").asText()).isEqualTo("done");
    }

    @Test
    void theTimeoutGivesTheSlotBack() throws Exception {
        assertThat(call("acme", "brief", "hi", null, null).at("/result/resultType").asText()).isEqualTo("input_required");
        assertThat(send("acme", "other", "hello", null, null).statusCode()).isEqualTo(429);

        awaitTrue(() -> held() == 0 && pending() == 0, "the approval timed out and gave its slot back");

        assertThat(call("acme", "other", "hello", null, null).at("/result/content/0/text").asText()).isEqualTo("done");
    }

    @Test
    void theGatewayStoppingGivesTheSlotsBack() throws Exception {
        call("acme", "echo", "hi", null, null);
        call("globex", "echo", "hi", null, null);
        ConcurrentCalls calls = gateway.gateway().services().concurrentCalls();
        assertThat(calls.tasksRunning("tools")).isEqualTo(2);

        gateway.close();
        gateway = null;

        awaitTrue(() -> calls.tasksRunning("tools") == 0, "every pending approval's slot given back on stop");
    }

    private int held() {
        return gateway.gateway().services().concurrentCalls().tasksRunning("tools");
    }

    private int pending() {
        return gateway.gateway().services().approvals().pendingCount();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    private static ObjectNode yes() {
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        return yes;
    }

    private JsonNode call(String tenant, String tool, String message, String state, JsonNode answer) throws Exception {
        HttpResponse<String> response = send(tenant, tool, message, state, answer);
        return JSON.readTree(response.body().substring(response.body().indexOf('{')));
    }

    /** A tools/call in the 2026 envelope; with a state, a retry answering the gateway's question with {@code answer}. */
    private HttpResponse<String> send(String tenant, String tool, String message, String state, JsonNode answer) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", "tools/call");
        ObjectNode params = body.putObject("params").put("name", tool);
        params.putObject("arguments").put("message", message);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "slots").put("version", "1");
        if (state != null) {
            params.putObject("inputResponses").set(KEY, answer);
            params.put("requestState", state);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .header("X-Waxell-AXID", tokens.token(tenant, "a")).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
