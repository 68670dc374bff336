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
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BZ, finding 1 (fix AM): a round of an approved call (the requestState relayed on the tool's own
 * {@code input_required} answer) is let through once only by a mark this process keeps in memory
 * ({@code Approvals.releaseOnce}); nothing else about the approval is checked on the retry. With the default
 * in-memory approvals store and configured {@code sessions.keys} (so states survive a restart, as the README asks for
 * several replicas or rolling restarts), a gateway restarted after the round went on takes the same retry again: the
 * approved {@code deploy} runs twice on one approval, the second time with nobody asked. The gateway's own ask-client
 * retry (version 17) is not taken after a restart: it needs its approval known here ({@code approvals.find}) and gets
 * {@code approval_answer_not_taken}. Real peer: the TypeScript SDK v2 server (ts2-bt-resume-server.mjs, tool
 * {@code deploy}, which asks its user to confirm), driven over raw HTTP in the 2026-07-28 form.
 */
class ApprovedRoundReplayAfterRestartReviewBZTest {

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
    private String sessions;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (41 + i);
        }
        sessions = "sessions:\n  max-age: 1h\n  keys:\n    - {id: bz, secret: \"" + Base64.getEncoder().encodeToString(secret) + "\"}\n";
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, sessions);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aRoundAlreadyLetThroughIsNotTakenAgainByTheRestartedGateway() throws Exception {
        JsonNode asked = call("hi", null, null);
        assertThat(asked.at("/result/inputRequests/tollgate-approval").isObject()).as(asked.toString()).isTrue();
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        String question = asked.at("/result/requestState").asText();
        JsonNode toolAsks = call("hi", question, JSON.createObjectNode().set("tollgate-approval", yes));
        assertThat(toolAsks.at("/result/inputRequests/confirm").isObject()).as(toolAsks.toString()).isTrue();
        String round = toolAsks.at("/result/requestState").asText();

        JsonNode done = call("hi", round, confirm());
        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed hi");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.output().contains("DEPLOYED {\"message\":\"hi\"}"));
        JsonNode replayed = call("hi", round, confirm());
        assertThat(replayed.at("/error/data/reason").asText()).as("same process: " + replayed).isEqualTo("approval_answer_not_taken");

        // A restart (or a rolling deploy): the same keys, the default in-memory approvals store.
        gateway.close();
        gateway = null;
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, sessions);

        // The gateway's own question's state is not taken again after the restart: its approval is not known here.
        JsonNode questionAgain = call("hi", question, JSON.createObjectNode().set("tollgate-approval", yes));
        assertThat(questionAgain.path("result").isMissingNode()).as("the ask-client retry after the restart: " + questionAgain).isTrue();

        JsonNode again = call("hi", round, confirm());

        assertThat(server.output().split("DEPLOYED", -1)).as("one approval, one deploy; the replayed round after the restart: "
                + again).hasSize(2);
        assertThat(again.at("/error/data/reason").asText()).as(again.toString()).isEqualTo("approval_answer_not_taken");
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
