package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review CJ (high where a route mixes spellings: a rule and the declared-enum check passed): {@code ArgumentNames.check}
 * lets a key through when it is spelled exactly as <em>either</em> the tool's listed schema or the route's policy names
 * it ({@code exactly = declaresExactly(a) || declaresExactly(b)}). The policy's names are the route's, every tool's. A
 * route whose policy reads {@code /Mode} for one tool (an S3-style tool, PascalCase: {@code Mode: GOVERNANCE}) and
 * {@code /mode} for {@code wipe} lets {@code wipe {"Mode": "DESTROY"}} through: {@code Mode} is "exact" for the policy,
 * while {@code wipe} declares {@code mode}; the declared-enum check reads {@code mode} only, and the rule on {@code /mode}
 * sees nothing. A case-insensitive binder (Jackson {@code ACCEPT_CASE_INSENSITIVE_PROPERTIES}, Go, .NET) reads
 * {@code Mode} as {@code mode} and destroys. Real Java SDK server and client, as ArgumentNameCaseThroughGatewayTest.
 */
class ArgumentNameOtherToolsSpellingReviewCJTest {

    private static final String POLICY = """
            name: tools
            defaults: {action: allow}
            rules:
              - name: no-destroy
                condition: {all: [{tool: wipe}, {arg: {path: /mode, eq: DESTROY}}]}
                action: deny
                message: No destroying wipes.
              - name: no-governance-locks
                condition: {all: [{tool: put_object}, {arg: {path: /Mode, eq: GOVERNANCE}}]}
                action: deny
                message: No governance locks.
            """;

    enum Mode { SAFE, DESTROY }

    static final class WipeArguments {
        public Mode mode;
    }

    private static final ObjectMapper BINDER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final List<Mode> ACTED_ON = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0, false);
        fixture.addTool("wipe", Map.of("type", "object", "properties", Map.of(
                "mode", Map.of("type", "string", "enum", List.of("SAFE", "DESTROY")))), (exchange, request) -> {
                    Mode mode = BINDER.convertValue(request.arguments(), WipeArguments.class).mode;
                    ACTED_ON.add(mode);
                    return CallToolResult.builder().content(List.of(TextContent.builder("wiped " + mode).build())).build();
                });
        fixture.addTool("put_object", Map.of("type", "object", "properties", Map.of(
                "Key", Map.of("type", "string"), "Mode", Map.of("type", "string", "enum", List.of("GOVERNANCE", "COMPLIANCE")))),
                (exchange, request) -> CallToolResult.builder().content(List.of(TextContent.builder("put").build())).build());
        gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", POLICY, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fixture.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clear() {
        ACTED_ON.clear();
    }

    @Test
    void directTheToolDestroysOnMode() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();
            client.callTool(CallToolRequest.builder("wipe").arguments(Map.of("Mode", "DESTROY")).build());
        }
        assertThat(ACTED_ON).as("the attack is real").containsExactly(Mode.DESTROY);
    }

    @Test
    void throughTheGatewayAnotherToolsSpellingOfANameIsNotExactForWipe() {
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains("wipe", "put_object");
            assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("wipe").arguments(Map.of("Mode", "DESTROY")).build()))
                    .isInstanceOf(McpError.class);
        }
        assertThat(ACTED_ON).as("wipe declares mode; Mode is another tool's spelling: nothing ran").isEmpty();
    }

    private static McpSyncClient client(int port) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
