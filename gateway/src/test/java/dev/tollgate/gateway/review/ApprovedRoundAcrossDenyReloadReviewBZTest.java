package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BZ (fix AM), a guard: an operator's deny reloaded between two rounds of an approved call refuses the retry
 * carrying the approved call's state, forwarding nothing (the state carries the approval, not a decision: the serving
 * policy decides the retry). Held for as long as it holds; it passes on the current code. Real peer: the TypeScript SDK
 * v2 server (ts2-bt-resume-server.mjs, tool {@code deploy}), driven over raw HTTP in the 2026-07-28 form.
 */
class ApprovedRoundAcrossDenyReloadReviewBZTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: ask-before-deploy
                condition: {tool: deploy}
                action: approve
                message: deploying needs a person
                approval: {timeout: 20s, on-timeout: deny, ask-client: true}
            """;
    private static final String EMERGENCY_DENY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: emergency-no-deploy
                condition: {tool: deploy}
                action: deny
                message: deploy is withdrawn
            """;

    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private final HttpClient client = HttpClient.newHttpClient();
    private Path policies;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        policies = Files.createTempDirectory("tollgate-bz-policies");
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, yaml());
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        Files.deleteIfExists(policies.resolve("p.yaml"));
        Files.deleteIfExists(policies);
    }

    private String yaml() {
        return RunningGateway.mcpYaml(server.url("/mcp"), policies, "p", null);
    }

    private void reload(String policy) throws Exception {
        Files.writeString(policies.resolve("p.yaml"), policy);
        gateway.gateway().swap(new SnapshotLoader(CheckRegistry.withDefaults()).compile(ConfigLoader.parse(yaml(), "test.yaml", Map.of())));
    }

    @Test
    void aDenyReloadedBetweenRoundsRefusesTheApprovedCallsRetry() throws Exception {
        JsonNode asked = call("hi", null, null);
        assertThat(asked.at("/result/inputRequests/tollgate-approval").isObject()).as(asked.toString()).isTrue();
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        JsonNode toolAsks = call("hi", asked.at("/result/requestState").asText(), JSON.createObjectNode().set("tollgate-approval", yes));
        assertThat(toolAsks.at("/result/inputRequests/confirm").isObject()).as(toolAsks.toString()).isTrue();
        String round = toolAsks.at("/result/requestState").asText();

        reload(EMERGENCY_DENY);
        JsonNode refused = call("hi", round, confirm());

        assertThat(refused.path("result").isMissingNode()).as("the serving policy denies deploy: " + refused).isTrue();
        assertThat(server.output()).as("nothing deployed under the deny").doesNotContain("DEPLOYED");

        // The deny lifted: the refused retry spent nothing, and the round goes on.
        reload(POLICY);
        JsonNode done = call("hi", round, confirm());
        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed hi");
    }

    private static ObjectNode confirm() {
        ObjectNode confirm = JSON.createObjectNode();
        ObjectNode answer = confirm.putObject("confirm").put("action", "accept");
        answer.putObject("content").put("approve", true);
        return confirm;
    }

    private JsonNode call(String message, String state, JsonNode inputResponses) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("message", message);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "review-bz").put("version", "1");
        if (inputResponses != null) {
            params.set("inputResponses", inputResponses);
        }
        if (state != null) {
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp")).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "deploy")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
