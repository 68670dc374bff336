package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AS: a 2026-07-28 ask-client call is one call, yet it is charged two rate-limit tokens, and the user's yes is
 * spent by a retry the gateway then refuses. The question's leg is decided and secures the call's rate token (as any
 * call held for approval does, PolicyStage.needsSecuring); the retry carrying the user's yes is decided again as a new
 * call and secures a second token (the concurrency slot its own approval holds is exempted, rate tokens are not). Under
 * "one call an hour" the approved call is refused {@code rate_limited} and never forwarded; and because
 * AskClientRetryStage marks the approval "let through" (releaseOnce) before the policy stage runs, the approval is spent:
 * the retry sent again is told 409 "the approval has already let its call through" although nothing was forwarded.
 */
class AskClientRetryTakesSecondRateTokenReviewASTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "tollgate-approval";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}"));
        tokens = TenantTokens.in(dir);
        String yaml = tokens.allowAllMcpYaml(dir, "tools", "http://127.0.0.1:" + upstream.port() + "/mcp");
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: one-call-an-hour
                    condition: {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 1}}}
                    action: deny
                    message: one call an hour
                  - name: ask-before-echo
                    condition: {tool: echo}
                    action: approve
                    approval: {timeout: 30s, on-timeout: deny, ask-client: true}
                """);
        gateway = RunningGateway.start(vertx, yaml);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void theApprovedRetryOfTheCallersOneCallIsForwardedAndNotChargedASecondToken() throws Exception {
        JsonNode asked = call("acme", "echo", "hi", null, null);
        assertThat(asked.at("/result/resultType").asText()).as("control: the call is asked about: %s", asked).isEqualTo("input_required");
        String state = asked.at("/result/requestState").asText();

        JsonNode done = call("acme", "echo", "hi", state, yes());
        JsonNode again = upstream.received().isEmpty() ? call("acme", "echo", "hi", state, yes()) : null;

        assertThat(upstream.received())
                .as("the caller made one call this hour and its user said yes, yet the approved retry was refused by the rate limit"
                        + " the question's leg already took this call's token for: %s; the retry sent again: %s", done, again)
                .hasSize(1);
    }

    private static ObjectNode yes() {
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        return yes;
    }

    private JsonNode call(String tenant, String tool, String message, String state, JsonNode answer) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
        params.putObject("arguments").put("message", message);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (state != null && answer != null) {
            params.putObject("inputResponses").set(KEY, answer);
        }
        if (state != null) {
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .header("X-Waxell-AXID", tokens.token(tenant, "a")).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
