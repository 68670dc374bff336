package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.policy.check.CheckRegistry;
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
 * Review AW (low, rate limit skipped): since 52b38031 PolicyStage takes no rate token for any ask-client retry
 * ({@code exchange.askClientAnswer() != null}), on the ground that "its question's leg took the call's rate tokens". That
 * holds only if the question was decided under the same rate rules. A reload adding a rate limit between the question
 * and the user's answer leaves the retry decided under the serving policy (which limits it) without taking a token, and
 * the caller's rate limit is passed: with "one call an hour" reloaded and that call made, the approved retry is forwarded
 * as a second call this hour. A held 2025 call in the same place is refused approval_superseded (limit_added, review AQ:
 * "a limit not secured then refuses the call rather than being secured late"); a new call is refused rate_limited.
 */
class AskClientRetrySkipsAddedRateLimitReviewAWTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASK = """
              - name: ask-before-echo
                condition: {tool: echo}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, ask-client: true}
            """;
    private static final String ONE_AN_HOUR = """
              - name: one-call-an-hour
                condition: {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 1}}}
                action: deny
                message: one call an hour
            """;

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
        Files.writeString(dir.resolve("gateway.yaml"), yaml);
        policy(ASK);
        gateway = RunningGateway.start(vertx, yaml);
    }

    private void policy(String rules) throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules:\n" + rules);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anApprovedRetryIsHeldToARateLimitReloadedSinceTheQuestion() throws Exception {
        JsonNode asked = call("echo", null);
        assertThat(asked.at("/result/resultType").asText()).as("control: the call is asked about: %s", asked).isEqualTo("input_required");
        String state = asked.at("/result/requestState").asText();

        // "One call an hour" is reloaded while the user decides; the caller makes its one call of the hour.
        policy(ONE_AN_HOUR + ASK);
        gateway.gateway().swap(new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")));
        JsonNode other = call("lookup", null);
        assertThat(other.at("/result/content/0/text").asText()).as("control: the hour's one call: %s", other).isEqualTo("done");
        JsonNode over = call("lookup", null);
        assertThat(over.at("/error/data/reason").asText()).as("control: a second call this hour is refused: %s", over).isEqualTo("policy_denied");

        JsonNode retry = call("echo", state);
        assertThat(upstream.received())
                .as("the serving policy allows one call an hour and the caller made it; the approved retry (decided under that policy,"
                        + " its question asked before the limit existed and holding no token of it) was forwarded as a second: %s", retry)
                .hasSize(1);
    }

    private JsonNode call(String tool, String state) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
        params.putObject("arguments").put("message", "hi");
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (state != null) {
            ObjectNode yes = params.putObject("inputResponses").putObject("tollgate-approval").put("action", "accept");
            yes.putObject("content").put("approve", true);
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .header("X-Waxell-AXID", tokens.token("acme", "a")).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
