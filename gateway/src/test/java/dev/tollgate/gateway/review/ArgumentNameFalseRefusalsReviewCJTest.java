package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review CJ (low/medium: false refusals of calls the real server reads one way only): fix CH's
 * {@code ambiguous_argument_name} refuses calls that the official Java SDK server (case-sensitive: its arguments are a
 * {@code Map<String, Object>}) and the tool's own listed schema read unambiguously.
 * <ul>
 * <li>A tool whose listed schema declares both {@code ID} and {@code id} (two arguments, as the schema says) is refused
 * any call that sends both: two keys equal under folding are refused even when each is declared exactly.</li>
 * <li>The names a policy reads for one tool ({@code /options/scope} for {@code wipe}) are held against every tool of the
 * route: another, listed tool whose {@code options} is a free-form map (its schema declares no names under it, which the
 * fix says is not checked) is refused {@code {"options": {"Scope": "prod"}}}.</li>
 * </ul>
 */
class ArgumentNameFalseRefusalsReviewCJTest {

    private static final String POLICY = """
            name: wipes
            defaults: {action: allow}
            rules:
              - name: narrow-wipes
                condition: {all: [{tool: wipe}, {arg: {path: /options/scope, eq: all}}]}
                action: deny
                message: Name the scope of a wipe.
            """;
    private static final List<Map<String, Object>> RAN = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0, false);
        fixture.addTool("wipe", Map.of("type", "object", "properties", Map.of(
                "options", Map.of("type", "object", "properties", Map.of("scope", Map.of("type", "string"))))), FixtureTools::ran);
        fixture.addTool("link", Map.of("type", "object", "properties", Map.of(
                "ID", Map.of("type", "string", "description", "the issue's key, PROJ-12"),
                "id", Map.of("type", "string", "description", "the linked issue's numeric id"))), FixtureTools::ran);
        fixture.addTool("label", Map.of("type", "object", "properties", Map.of(
                "options", Map.of("type", "object", "additionalProperties", Map.of("type", "string")))), FixtureTools::ran);
        gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", POLICY, null, null);
    }

    private static final class FixtureTools {
        static CallToolResult ran(io.modelcontextprotocol.server.McpSyncServerExchange exchange, CallToolRequest request) {
            RAN.add(request.arguments());
            return CallToolResult.builder().content(List.of(TextContent.builder("ran").build())).build();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fixture.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clear() {
        RAN.clear();
    }

    @Test
    void twoArgumentsTheListedSchemaDeclaresExactlyRun() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("ID", "PROJ-12");
        arguments.put("id", "4411");
        CallToolResult result = call("link", arguments);
        assertThat(result.isError()).as(String.valueOf(result.content())).isNotEqualTo(Boolean.TRUE);
        assertThat(RAN).containsExactly(arguments);
    }

    @Test
    void aFreeFormMapOfAnotherToolIsNotHeldToTheNamesAPolicyReadsForWipe() {
        Map<String, Object> arguments = Map.of("options", Map.of("Scope", "prod"));
        CallToolResult result = call("label", arguments);
        assertThat(result.isError()).as(String.valueOf(result.content())).isNotEqualTo(Boolean.TRUE);
        assertThat(RAN).containsExactly(arguments);
    }

    private static CallToolResult call(String tool, Map<String, Object> arguments) {
        try (McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + gateway.port())
                .endpoint("/mcp").build()).requestTimeout(Duration.ofSeconds(15)).build()) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains(tool);
            return client.callTool(CallToolRequest.builder(tool).arguments(arguments).build());
        }
    }
}
