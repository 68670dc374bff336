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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review CE: what the gateway learnt from a tools list lives in one process. The tool is listed through the gateway,
 * then the gateway restarts (or the call lands on another replica of the route, behind one load balancer): a call that
 * never lists again is not checked at all, and {@code mode: 1} reaches the tool, which binds it to DESTROY. Clients do
 * this routinely: they keep the list they read and open a new session after a restart without reading it again.
 * Against the real Java SDK server (input validation off) and client.
 */
class DeclaredEnumOtherReplicaReviewCETest {

    enum Mode { SAFE, DESTROY }

    private static final ObjectMapper BINDER = new ObjectMapper();
    private static final List<Mode> ACTED_ON = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static McpFixtureServer fixture;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0, false);
        fixture.addTool("wipe", Map.of("type", "object", "properties", Map.of(
                "mode", Map.of("type", "string", "enum", List.of("SAFE", "DESTROY")))), (exchange, request) -> {
            Mode mode = BINDER.convertValue(request.arguments().get("mode"), Mode.class);
            ACTED_ON.add(mode);
            return CallToolResult.builder().content(List.of(TextContent.builder("wiped " + mode).build())).build();
        });
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aToolListedBeforeARestartIsStillHeldToItsEnum() throws Exception {
        String upstream = "http://127.0.0.1:" + fixture.port() + "/mcp";
        try (RunningGateway before = RunningGateway.mcp(vertx, upstream, null, null); McpSyncClient client = client(before.port())) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains("wipe");
            assertThatThrownBy(() -> client.callTool(wipe())).as("checked while the list is held").isInstanceOf(McpError.class);
        }
        try (RunningGateway after = RunningGateway.mcp(vertx, upstream, null, null); McpSyncClient client = client(after.port())) {
            client.initialize();
            assertThatThrownBy(() -> client.callTool(wipe())).as("the same call, after the restart")
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(BINDER.valueToTree(e.getJsonRpcError().data())
                            .path("reason").asText()).isEqualTo("argument_outside_declared_enum"));
        }
        assertThat(ACTED_ON).as("the tool bound 1 to DESTROY and wiped").isEmpty();
    }

    @Test
    void aToolListedThroughOneReplicaIsHeldToItsEnumOnAnother() throws Exception {
        String upstream = "http://127.0.0.1:" + fixture.port() + "/mcp";
        try (RunningGateway listed = RunningGateway.mcp(vertx, upstream, null, null);
             RunningGateway other = RunningGateway.mcp(vertx, upstream, null, null);
             McpSyncClient lister = client(listed.port()); McpSyncClient caller = client(other.port())) {
            lister.initialize();
            assertThat(lister.listTools().tools()).extracting(t -> t.name()).contains("wipe");
            caller.initialize();
            assertThatThrownBy(() -> caller.callTool(wipe())).as("the same call, on the replica that saw no list")
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(BINDER.valueToTree(e.getJsonRpcError().data())
                            .path("reason").asText()).isEqualTo("argument_outside_declared_enum"));
        }
        assertThat(ACTED_ON).as("the tool bound 1 to DESTROY and wiped").isEmpty();
    }

    private static CallToolRequest wipe() {
        return CallToolRequest.builder("wipe").arguments(Map.of("mode", 1)).build();
    }

    private static McpSyncClient client(int port) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
