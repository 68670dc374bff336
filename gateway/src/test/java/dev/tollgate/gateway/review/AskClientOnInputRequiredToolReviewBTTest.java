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
 * Review BT (MCP 2026-07-28): a tool under an {@code ask-client} approval that itself asks its user (the SDK's own
 * "write-once tool requesting confirmation": {@code input_required} with an elicitation, done on the retry carrying the
 * yes) never completes for a 2026-07-28 client, though the user says yes to everything.
 *
 * <p>Real peers: the TypeScript SDK v2 client (ts2-approve-client.mjs, accepts every form) and server
 * (ts2-bt-resume-server.mjs, tool {@code deploy}). Round 1: the gateway asks its question (input_required,
 * {@code tollgate-approval}, its own requestState); round 2: the client's yes lets the call through, the server answers
 * input_required asking {@code confirm}; round 3: the client retries with {@code inputResponses.confirm}, which the
 * gateway decides as a new call of {@code deploy}, so it is held and asked about again (input_required, a new gateway
 * requestState); the client, whose driver answers only the latest round, retries with the gateway's state and the
 * answer to its question, and AskClientRetryStage forwards the approved call without {@code inputResponses}: the server
 * never sees the user's {@code confirm} and asks again. The loop runs until the client's round cap (10 rounds: the user
 * is asked five times by each, five approvals are spent, the tool runs five times, and the call fails). The same client
 * completes on a route without the approval (control).
 */
class AskClientOnInputRequiredToolReviewBTTest {

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

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;
    private static RunningGateway plain;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
        plain = RunningGateway.mcp(vertx, server.url("/mcp"), null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        plain.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void controlWithoutTheApprovalA2026ClientConfirmsAndTheToolCompletes() throws Exception {
        JsonNode[] seen = run(plain, "auto");

        assertThat(seen[0].path("protocolVersion").asText()).isEqualTo("2026-07-28");
        assertThat(seen[1].path("detail").asText()).as(seen[1].toString()).isEqualTo("deployed hi");
    }

    @Test
    void a2026ClientIsAskedByTheGatewayAndTheServerAndTheToolCompletes() throws Exception {
        JsonNode[] seen = run(gateway, "auto");

        assertThat(seen[0].path("protocolVersion").asText()).isEqualTo("2026-07-28");
        assertThat(seen[1].path("detail").asText()).as("the user said yes to the gateway and to the tool: " + seen[1]
                + "\nserver: " + server.output()).isEqualTo("deployed hi");
    }

    private static JsonNode[] run(RunningGateway through, String negotiation) throws Exception {
        NodePeers.Result result = NodePeers.runWithEnv(60, Map.of("NEGOTIATION", negotiation), "ts2-approve-client.mjs",
                "http://localhost:" + through.port() + "/mcp", "deploy");
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
