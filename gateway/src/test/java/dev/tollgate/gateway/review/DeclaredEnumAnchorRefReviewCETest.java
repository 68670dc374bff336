package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review CE: one tool whose input schema refers to a plain-name fragment ({@code "$ref": "#Mode"} beside
 * {@code "$anchor": "Mode"}, JSON Schema 2020-12, accepted by the Java SDK's own SEP-1613 check) makes the gateway's
 * reader of listed enums throw ({@code JsonNode.at("Mode")}: a JSON pointer must start with '/') inside the response
 * filter: the tools/list answer never reaches the client (it waits until its own timeout), for every caller of the
 * route, whatever other tools the server lists. Against the real Java SDK server and client.
 */
class DeclaredEnumAnchorRefReviewCETest {

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0, false);
        fixture.addTool("wipe_anchor", Map.of("type", "object",
                "$defs", Map.of("Mode", Map.of("$anchor", "Mode", "type", "string", "enum", List.of("SAFE", "DESTROY"))),
                "properties", Map.of("mode", Map.of("$ref", "#Mode"))),
                (exchange, request) -> CallToolResult.builder().content(List.of(TextContent.builder("acted").build())).build());
        gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fixture.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aToolReferringToAnAnchorLeavesTheListAnsweredAndIsHeldToItsEnum() {
        try (McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + gateway.port())
                .endpoint("/mcp").build()).requestTimeout(Duration.ofSeconds(10)).build()) {
            client.initialize();
            assertThat(client.listTools().tools()).as("the list is answered, every tool in it").extracting(t -> t.name())
                    .contains("wipe_anchor", "echo");
            assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("wipe_anchor").arguments(Map.of("mode", 1)).build()))
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(new ObjectMapper().valueToTree(e.getJsonRpcError().data())
                            .path("reason").asText()).isEqualTo("argument_outside_declared_enum"));
        }
    }
}
