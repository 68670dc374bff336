package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
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
 * Review AW (medium): a call held for approval secures its budget before the hold, so that "an approved call must not then
 * find the budget spent by calls that came after it" (PolicyStage.needsSecuring; a held 2025 call keeps its hold while a
 * person decides). Since db7c3324 a 2026-07-28 ask-client call's question leg releases its hold at once
 * (CompletionRecorder.settleCharges, Exchange.askedInClient) and the approved retry secures the budget anew: while the
 * user decides, the same caller's later calls spend the headroom the held call had secured, and the user's yes is then
 * refused budget_exceeded.
 *
 * <p>Input: budget $0.50 for the tree; synthesize ($0.30) asks the client's user; while the question is open the agent
 * makes six search calls ($0.05 each); the user approves. Gateway: all six searches run ($0.30), the approved synthesize
 * is refused over budget. Should be: the held call's $0.30 stays secured (the fifth and sixth searches are refused, as
 * with a held 2025 call) and the approved call goes on.
 */
class AskClientApprovedCallOutspentReviewAWTest {

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
    void anApprovedAskClientCallKeepsTheBudgetItSecuredWhenHeld() throws Exception {
        String token = fixture.token("acme", "tree-1");
        JsonNode asked = call(token, "synthesize", 1, null);
        assertThat(asked.at("/result/resultType").asText()).as("control: the call is asked about: %s", asked).isEqualTo("input_required");

        int searchesRun = 0;
        for (int i = 0; i < 6; i++) {
            JsonNode search = call(token, "search-web", 10 + i, null);
            if ("ok".equals(search.at("/result/content/0/text").asText())) {
                searchesRun++;
            }
        }

        JsonNode done = call(token, "synthesize", 2, asked.at("/result/requestState").asText());
        assertThat(done.at("/result/content/0/text").asText())
                .as("the user approved the held synthesize, whose $0.30 was secured when it was held; %d later searches ($0.05 each)"
                        + " spent that headroom and the approved call was refused: %s", searchesRun, done)
                .isEqualTo("ok");
    }

    private JsonNode call(String token, String tool, int id, String state) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
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
