package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix of review BT's finding 3, its attacker side: the state relayed on the {@code input_required} answer to a call an
 * ask-client approval let through carries that call on without holding it again, but only for the same caller, the
 * same tool and the same arguments, once. Real peer: the TypeScript SDK v2 server (ts2-bt-resume-server.mjs, tool
 * {@code deploy}, which asks its user to confirm and keeps no requestState), driven over raw HTTP in the 2026-07-28 form.
 */
class ApprovedCallCarriedOnFixAMTest {

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

    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Rounds 1 and 2: the gateway's question, the yes, and the tool's own question relayed with the gateway's state. */
    private JsonNode approvedAndAskedByTheTool() throws Exception {
        JsonNode asked = call("hi", null, null);
        assertThat(asked.at("/result/inputRequests/tollgate-approval").isObject()).as(asked.toString()).isTrue();
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        JsonNode toolAsks = call("hi", asked.at("/result/requestState").asText(), JSON.createObjectNode().set("tollgate-approval", yes));
        assertThat(toolAsks.at("/result/inputRequests/confirm").isObject()).as(toolAsks.toString()).isTrue();
        assertThat(toolAsks.at("/result/requestState").isTextual()).as("the gateway's state for the approved call: " + toolAsks).isTrue();
        return toolAsks;
    }

    private static ObjectNode confirm() {
        ObjectNode confirm = JSON.createObjectNode();
        ObjectNode answer = confirm.putObject("confirm").put("action", "accept");
        answer.putObject("content").put("approve", true);
        return confirm;
    }

    @Test
    void theToolsOwnAnswerCompletesTheApprovedCallOnceAndIsNotAskedAgain() throws Exception {
        JsonNode toolAsks = approvedAndAskedByTheTool();
        String state = toolAsks.at("/result/requestState").asText();

        JsonNode done = call("hi", state, confirm());

        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed hi");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.output().contains("DEPLOYED {\"message\":\"hi\"}"));
        // The server got the user's confirm as sent, and no state of the gateway's (it sent none of its own).
        JsonNode last = received().get(received().size() - 1).path("params");
        assertThat(last.path("inputResponses")).as(last.toString()).isEqualTo(confirm());
        assertThat(last.has("requestState")).as(last.toString()).isFalse();
        // Before the first round the gateway listed the tools itself (fix AY: a tool no list through it had named).
        assertThat(received()).extracting(b -> b.path("method").asText()).as("three rounds: the question forwarded nothing")
                .containsExactly("tools/list", "tools/call", "tools/call");

        JsonNode replay = call("hi", state, confirm());
        assertThat(replay.at("/error/data/reason").asText()).as("one state, one retry let through: " + replay).isEqualTo("approval_answer_not_taken");
        assertThat(server.output().split("DEPLOYED", -1)).as("the tool ran once").hasSize(2);
    }

    @Test
    void aChangedArgumentOnTheRetryIsRefusedNotCarriedOn() throws Exception {
        JsonNode toolAsks = approvedAndAskedByTheTool();
        String state = toolAsks.at("/result/requestState").asText();

        JsonNode swapped = call("evil", state, confirm());

        assertThat(swapped.at("/error/code").asInt()).as("the state was relayed for message=hi: " + swapped).isEqualTo(-32602);
        // Without the state, the changed call is a new call of deploy: held, and its user asked.
        JsonNode fresh = call("evil", null, confirm());
        assertThat(fresh.at("/result/inputRequests/tollgate-approval").isObject()).as(fresh.toString()).isTrue();
        // The honest retry still completes: the refused one forwarded nothing and spent nothing.
        JsonNode done = call("hi", state, confirm());
        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed hi");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.output().contains("DEPLOYED {\"message\":\"hi\"}"));
        assertThat(server.output()).doesNotContain("evil");
    }

    @Test
    void anEditedStateIsRefused() throws Exception {
        JsonNode toolAsks = approvedAndAskedByTheTool();
        String state = toolAsks.at("/result/requestState").asText();
        char last = state.charAt(state.length() - 2);
        String edited = state.substring(0, state.length() - 2) + (last == 'A' ? 'B' : 'A') + state.charAt(state.length() - 1);

        JsonNode refused = call("hi", edited, confirm());

        assertThat(refused.at("/error/code").asInt()).as(refused.toString()).isEqualTo(-32602);
    }

    /** A tool that keeps its state in requestState: under the approval, the server gets its own state back, unchanged. */
    @Test
    void anApprovedToolsOwnStateReachesItUnchangedAndTheCallCompletes() throws Exception {
        NodeServer stateful = NodeServer.start("ts2-state-server.mjs", Map.of());
        RunningGateway through = RunningGateway.mcpWithPolicy(vertx, stateful.url("/mcp"), POLICY.replace("{tool: deploy}", "{tool: transfer}"), null, null);
        try {
            JsonNode asked = call(through, "transfer", "to", "bob", null, null);
            assertThat(asked.at("/result/inputRequests/tollgate-approval").isObject()).as(asked.toString()).isTrue();
            ObjectNode yes = JSON.createObjectNode().put("action", "accept");
            yes.putObject("content").put("approve", true);
            JsonNode leg = call(through, "transfer", "to", "bob", asked.at("/result/requestState").asText(),
                    JSON.createObjectNode().set("tollgate-approval", yes));
            assertThat(leg.at("/result/resultType").asText()).as(leg.toString()).isEqualTo("input_required");
            String state = leg.at("/result/requestState").asText();
            assertThat(state).as("the server's state is sealed, not relayed raw").doesNotContain("bob");

            JsonNode done = call(through, "transfer", "to", "bob", state, JSON.createObjectNode());

            assertThat(done.path("error").isMissingNode()).as("carried on, not held again: " + done).isTrue();
            assertThat(done.at("/result/inputRequests/tollgate-approval").isMissingNode()).as(done.toString()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> stateful.output().contains("TRANSFERRED"));
            List<JsonNode> bodies = received(stateful);
            JsonNode minted = JSON.readTree(bodies.get(bodies.size() - 1).path("params").path("requestState").asText());
            assertThat(minted.path("to").asText()).as("the server's own state came back: " + bodies).isEqualTo("bob");
            assertThat(bodies.get(bodies.size() - 1).path("params").path("inputResponses")).isEqualTo(JSON.createObjectNode());
        } finally {
            through.close();
            stateful.close();
        }
    }

    /** The bodies the server received, in order. */
    private List<JsonNode> received() throws Exception {
        return received(server);
    }

    private static List<JsonNode> received(NodeServer from) throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (String line : from.output().split("\n")) {
            if (line.startsWith("RECEIVED ")) {
                JsonNode body = JSON.readTree(line.substring("RECEIVED ".length())).path("body");
                if (body.isTextual()) {
                    bodies.add(JSON.readTree(body.asText()));
                }
            }
        }
        return bodies;
    }

    private JsonNode call(String message, String state, JsonNode inputResponses) throws Exception {
        return call(gateway, message, state, inputResponses);
    }

    private JsonNode call(RunningGateway through, String message, String state, JsonNode inputResponses) throws Exception {
        return call(through, "deploy", "message", message, state, inputResponses);
    }

    private JsonNode call(RunningGateway through, String tool, String argument, String value, String state, JsonNode inputResponses)
            throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
        params.putObject("arguments").put(argument, value);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "fix-am").put("version", "1");
        if (inputResponses != null) {
            params.set("inputResponses", inputResponses);
        }
        if (state != null) {
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + through.port() + "/mcp")).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
