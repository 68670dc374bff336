package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review AE (MCP 2026-07-28 vs 2025-11-25 readings of one exchange): {@code approval: {ask-client: true}} asks the user
 * with an {@code elicitation/create} <em>request</em> sent as the first event of the held call's SSE answer
 * (ClientElicitation), whatever revision the call speaks. The 2026-07-28 revision has no server-to-client request
 * channel: the SDK v2 client, once it negotiated 2026-07-28, drops every inbound request unanswered
 * (Protocol._shouldDropInbound: "not servable on this connection's protocol era"). So for a 2026 client the question
 * never reaches the user, the held call waits for its whole timeout and ends by {@code on-timeout} (deny here; with
 * {@code on-timeout: allow} the call then runs without the user ever having been asked). The same client on 2025-11-25
 * is asked and its yes approves the call. In 2026 the gateway would have to ask as a 2026 server asks: an
 * {@code input_required} answer whose {@code inputRequests} hold the form, with a requestState of its own naming the
 * approval, taking the client's retry (its {@code inputResponses}) as the answer and never forwarding it.
 */
class AskClientOn2026ReviewAETest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: ask-before-echo
                condition: {tool: echo}
                action: approve
                message: echoing needs a person
                approval: {timeout: 8s, on-timeout: deny, ask-client: true}
            """;

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-server.mjs", Map.of());
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aClientOn2025IsAskedAndItsYesApprovesTheCall() throws Exception {
        JsonNode[] seen = run("legacy");

        assertThat(seen[0].path("protocolVersion").asText()).isEqualTo("2025-11-25");
        assertThat(seen[1].path("asked")).as(seen[1].toString()).hasSize(1);
        assertThat(seen[1].path("detail").asText()).isEqualTo("hi");
    }

    @Test
    void aClientOn2026IsAskedAndItsYesApprovesTheCall() throws Exception {
        JsonNode[] seen = run("auto");

        assertThat(seen[0].path("protocolVersion").asText()).isEqualTo("2026-07-28");
        assertThat(seen[1].path("asked")).as("the user of a 2026 client must be asked too: " + seen[1]).hasSize(1);
        assertThat(seen[1].path("detail").asText()).isEqualTo("hi");
    }

    private static JsonNode[] run(String negotiation) throws Exception {
        NodePeers.Result result = NodePeers.runWithEnv(60, Map.of("NEGOTIATION", negotiation), "ts2-approve-client.mjs",
                "http://localhost:" + gateway.port() + "/mcp", "echo");
        assertThat(result.exitCode()).as(result.output()).isZero();
        JsonNode connected = null;
        JsonNode outcome = null;
        for (String line : result.output().split("\n")) {
            if (line.startsWith("CONNECTED ")) {
                connected = JSON.readTree(line.substring("CONNECTED ".length()));
            } else if (line.startsWith("RESULT ")) {
                outcome = JSON.readTree(line.substring("RESULT ".length()));
            }
        }
        assertThat(connected).as(result.output()).isNotNull();
        assertThat(outcome).as(result.output()).isNotNull();
        return new JsonNode[] {connected, outcome};
    }
}
