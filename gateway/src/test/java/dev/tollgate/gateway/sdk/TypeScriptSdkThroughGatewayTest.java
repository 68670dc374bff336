package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

/** The official MCP TypeScript SDK client (run by node) sees the same session through the gateway as direct. */
class TypeScriptSdkThroughGatewayTest {

    private static final long CLIENT_TIMEOUT_SECONDS = 60;

    @Test
    void typeScriptClientInitializesAndCallsToolsThroughTheGateway() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (McpFixtureServer fixture = McpFixtureServer.start(0);
             RunningGateway gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", null, null)) {
            NodePeers.Result direct = NodePeers.run(CLIENT_TIMEOUT_SECONDS, "ts-client.mjs", fixture.url());
            NodePeers.Result viaGateway = NodePeers.run(CLIENT_TIMEOUT_SECONDS, "ts-client.mjs", "http://localhost:" + gateway.port() + "/mcp");

            assertThat(direct.exitCode()).as(direct.output()).isZero();
            assertThat(viaGateway.exitCode()).as(viaGateway.output()).isZero();
            assertThat(lastLine(viaGateway.output())).isEqualTo(lastLine(direct.output()))
                    .contains("\"protocolVersion\":\"2025-11-25\"")
                    .contains("hello from typescript")
                    .contains("42");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }
}
