package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review CF (fix AV): AGT's {@code tool_call_count} counts a run's tool calls that ran (the Nth sees N-1). A 2026-07-28
 * tool that asks its user (the TypeScript SDK v2's own {@code deploy} example: an {@code input_required} answer, then the
 * client's retry carrying the yes) is one tool call, made once by the client's {@code callTool}; the gateway counts each
 * round as a call of its own. Under AGT's template cap at 1 ({@code tool_call_count gt 1}: two calls per run), the
 * caller's second deploy is denied as its third call though it is the second. Real peers: the SDK v2 server
 * ts2-bt-resume-server.mjs and client ts2-approve-client.mjs (which confirms).
 */
class ToolCallCountInputRoundsReviewCFTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            version: "1.0"
            name: agt-cap
            defaults: {action: allow}
            rules:
              - name: asi08-session-tool-call-limit
                condition: {field: tool_call_count, operator: gt, value: 1}
                action: deny
                priority: 85
                message: "ASI-08: Session tool call limit exceeded"
            """;

    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;

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

    private JsonNode deploy() throws Exception {
        NodePeers.Result result = NodePeers.runWithEnv(60, Map.of("NEGOTIATION", "auto"), "ts2-approve-client.mjs",
                "http://localhost:" + gateway.port() + "/mcp", "deploy");
        assertThat(result.exitCode()).as(result.output()).isZero();
        for (String line : result.output().split("\n")) {
            if (line.startsWith("RESULT ")) {
                return JSON.readTree(line.substring("RESULT ".length()));
            }
        }
        throw new AssertionError("no RESULT: " + result.output());
    }

    @Test
    void aToolThatAsksItsUserIsOneToolCallOfTheRun() throws Exception {
        JsonNode first = deploy();
        assertThat(first.path("detail").asText()).as("control: the first deploy completes: %s", first).isEqualTo("deployed hi");
        JsonNode second = deploy();
        assertThat(second.path("detail").asText())
                .as("the run's second tool call (tool_call_count 1, under gt 1) was refused as if it were the third: %s\nserver: %s",
                        second, server.output())
                .isEqualTo("deployed hi");
    }
}
