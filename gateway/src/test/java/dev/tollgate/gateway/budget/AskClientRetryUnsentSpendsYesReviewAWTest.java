package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AW (low): AskClientReleaseStage marks an approved 2026 ask-client retry "let through" right before the forward
 * stage, so that "a retry a later stage refused" does not spend the user's yes; but the forward stage itself refuses
 * calls it never sent: the upstream refuses the connection (a restart, a deploy), the upstream token cannot be obtained.
 * The retry is answered 502 although nothing reached the upstream, and the same retry sent again once the upstream is
 * back is refused 409 "the approval has already let its call through": the user's yes is spent on a call never made.
 */
class AskClientRetryUnsentSpendsYesReviewAWTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: ask-before-synthesize
                condition: {tool: synthesize}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, ask-client: true}
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private BudgetFixture fixture;
    private int upstreamPort;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstreamPort = dev.tollgate.gateway.support.TestPorts.unclaimed();
        fixture = new BudgetFixture(dir);
        fixture.policy(POLICY);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml("http://127.0.0.1:" + upstreamPort + "/mcp", ""));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anApprovedRetryTheUpstreamNeverReceivedGoesOnWhenSentAgain() throws Exception {
        String token = fixture.token("acme", "tree-1");
        // Up while the question is asked: the gateway lists its tools first (fix AY), which this upstream does not (-32601).
        // It closes that connection with its answer, so the approved retry finds no keep-alive connection to an upstream
        // that is gone (sent on one, the retry would count as sent: what this test is about is a call never sent).
        upstream = new RecordingUpstream(vertx, upstreamPort);
        upstream.answerGatewayLists();
        RecordingUpstream listing = upstream;
        upstream.answer(request -> {
            String id = listing.received().get(listing.received().size() - 1).body().toString().replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("Content-Type", "application/json").putHeader("Connection", "close")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
        });
        JsonNode asked = call(token, null);
        assertThat(asked.at("/result/resultType").asText()).as("control: the call is asked about: %s", asked).isEqualTo("input_required");
        String state = asked.at("/result/requestState").asText();
        assertThat(upstream.received()).extracting(r -> JSON.readTree(r.body().getBytes()).path("method").asText())
                .as("the question reached no upstream: only the gateway's own list did").containsExactly("tools/list");
        upstream.close(); // down for the approved retry: nothing listens on its port
        upstream = null;

        JsonNode unsent = call(token, state);
        assertThat(unsent.has("error")).as("control: the upstream is down, the approved retry is refused: %s", unsent).isTrue();

        upstream = new RecordingUpstream(vertx, upstreamPort);
        fixture.answerToolCalls(upstream);
        JsonNode again = call(token, state);
        assertThat(again.at("/result/content/0/text").asText())
                .as("the upstream never received the approved call (its connection was refused); sent again once the upstream is"
                        + " back, it must go on, not be refused as already let through: %s", again)
                .isEqualTo("ok");
        assertThat(upstream.received()).as("one approval, one call").hasSize(1);
    }

    private JsonNode call(String token, String state) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "synthesize");
        params.putObject("arguments").put("topic", "q3");
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "synthesize")
                .header("X-Waxell-AXID", token).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
