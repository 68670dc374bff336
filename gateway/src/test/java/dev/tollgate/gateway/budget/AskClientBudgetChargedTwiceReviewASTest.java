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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AS: a 2026-07-28 ask-client call is one priced call, yet it pays its estimate twice. The question's leg secures
 * the call's budget hold (a call held for approval secures its budget before the hold) and ends with the gateway's own
 * {@code input_required} answer, written by ClientInputRequired.ask without recording it as the exchange's outcome, so
 * CompletionRecorder.settleCharges reads the leg as a 200 answered call that saw no result and settles its hold as paid,
 * at the estimate, although nothing was forwarded; the user's approved retry is then decided, held and paid again. (An
 * upstream's own input_required leg is settled at what it reports, "the two legs are one priced call": the gateway's own
 * question is not.)
 */
class AskClientBudgetChargedTwiceReviewASTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: synthesis-budget
                condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                action: deny
                message: spawn tree budget for synthesis exhausted
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
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        fixture = new BudgetFixture(dir);
        fixture.answerToolCalls(upstream);
        fixture.policy(POLICY);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anApprovedAskClientCallPaysItsPriceOnce() throws Exception {
        String token = fixture.token("acme", "tree-1");
        JsonNode asked = call(token, null);
        assertThat(asked.at("/result/resultType").asText()).as("control: the call is asked about: %s", asked).isEqualTo("input_required");
        assertThat(upstream.received()).as("control: the question's leg forwards nothing").isEmpty();

        JsonNode done = call(token, asked.at("/result/requestState").asText());
        assertThat(done.at("/result/content/0/text").asText()).as("control: the approved retry is forwarded: %s", done).isEqualTo("ok");
        assertThat(upstream.received()).as("control: one call reached the upstream").hasSize(1);

        // Both legs settle when their exchange completes, just after the client read the answer: the spend must reach the one
        // call's $0.30 and stay there.
        await().atMost(Duration.ofSeconds(5)).until(() -> spent() >= 300_000);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spent())
                .as("one synthesize ($0.30) reached the upstream, through one ask-client approval; the spend must be $0.30, not the"
                        + " estimate paid once for the gateway's own question leg (never forwarded) and again for the retry")
                .isEqualTo(300_000));
    }

    private long spent() throws Exception {
        return gateway.gateway().services().budgets().ledger().spent(new SpendKey("acme", "tree-1")).toCompletableFuture().get();
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "synthesize")
                .header("X-Waxell-AXID", token).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
