package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tool binding its arguments case-insensitively (Jackson with {@code ACCEPT_CASE_INSENSITIVE_PROPERTIES}, as Spring
 * apps turn on; Go's encoding/json and .NET's web defaults do the same) reads {@code MODE} as {@code mode}: a rule
 * denying {@code mode: DESTROY} and the declared-enum check read only {@code mode}, so {@code {"MODE": "DESTROY"}} and
 * {@code {"mode": "SAFE", "Mode": "DESTROY"}} went through and the tool destroyed. The gateway now refuses a call naming
 * an argument two ways ({@code ambiguous_argument_name}) before policy. Real Java SDK server and client.
 */
class ArgumentNameCaseThroughGatewayTest {

    private static final String POLICY = """
            name: wipes
            defaults: {action: allow}
            rules:
              - name: no-destroy
                condition: {all: [{arg: {path: /mode, eq: DESTROY}}]}
                action: deny
                message: No destroying wipes.
            """;

    enum Mode { SAFE, DESTROY }

    /** Fields, not a record: bound as a Spring controller's body is, the last of two spellings wins. */
    static final class WipeArguments {
        public String disk;
        public Mode mode;
    }

    private static final Map<String, Object> WIPE_SCHEMA = Map.of("type", "object", "properties", Map.of(
            "disk", Map.of("type", "string"),
            "mode", Map.of("type", "string", "enum", List.of("SAFE", "DESTROY"))));
    // A tool listing no properties: the name the policy reads is still held to its spelling.
    private static final Map<String, Object> OPEN_SCHEMA = Map.of("type", "object");
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
        for (String tool : List.of("wipe", "wipe_open")) {
            fixture.addTool(tool, tool.equals("wipe") ? WIPE_SCHEMA : OPEN_SCHEMA, (exchange, request) -> {
                Mode mode = BINDER.convertValue(request.arguments(), WipeArguments.class).mode;
                ACTED_ON.add(mode);
                return CallToolResult.builder().content(List.of(TextContent.builder("wiped " + mode).build())).build();
            });
        }
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
    void directTheToolDestroysOnACaseVariant() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();
            client.callTool(wipe("wipe", "MODE", "DESTROY"));
            client.callTool(wipe("wipe", "mode", "SAFE", "Mode", "DESTROY"));
        }
        assertThat(ACTED_ON).as("the attack is real: the binder reads MODE and Mode as mode").containsExactly(Mode.DESTROY, Mode.DESTROY);
    }

    @Test
    void throughTheGatewayAnArgumentNamedTwoWaysIsRefusedAndNothingRuns() {
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains("wipe", "wipe_open");

            assertAmbiguous(client, wipe("wipe", "MODE", "DESTROY"), "/MODE");
            assertAmbiguous(client, wipe("wipe", "mode", "SAFE", "Mode", "DESTROY"), "/Mode");
            assertAmbiguous(client, wipe("wipe_open", "Mode", "DESTROY", "mode", "SAFE"), "/Mode");
            assertAmbiguous(client, wipe("wipe", "DISK", "sdb"), "/DISK");
            // No rule reads disk: refused because the tool's listed schema declares it as disk.
            assertAmbiguous(client, CallToolRequest.builder("wipe").arguments(Map.of("Disk", "sdb")).build(), "/Disk");
            assertAmbiguous(client, wipe("wipe_open", "MODE", "DESTROY"), "/MODE");
            assertAmbiguous(client, wipe("wipe_open", "mode", "SAFE", "moDe", "DESTROY"), "/moDe");

            assertThatThrownBy(() -> client.callTool(wipe("wipe", "mode", "DESTROY"))).as("the exact name: the rule's own deny")
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(e.getMessage()).contains("No destroying wipes."));
            CallToolResult safe = client.callTool(wipe("wipe", "mode", "SAFE"));
            assertThat(((TextContent) safe.content().get(0)).text()).isEqualTo("wiped SAFE");
            CallToolResult other = client.callTool(wipe("wipe_open", "Force", true));
            assertThat(((TextContent) other.content().get(0)).text()).as("a name nothing declares or reads, folding to no other")
                    .isEqualTo("wiped null");
        }
        assertThat(ACTED_ON).as("only the calls spelling each argument one way ran").containsExactly(Mode.SAFE, null);
    }

    private static void assertAmbiguous(McpSyncClient client, CallToolRequest request, String pointer) {
        assertThatThrownBy(() -> client.callTool(request)).as("%s", request.arguments())
                .isInstanceOfSatisfying(McpError.class, e -> {
                    assertThat(e.getJsonRpcError().code()).isEqualTo(-32010);
                    assertThat(BINDER.valueToTree(e.getJsonRpcError().data()).path("reason").asText()).isEqualTo("ambiguous_argument_name");
                    assertThat(e.getMessage()).contains(pointer).contains("'" + request.name() + "'").doesNotContain("DESTROY");
                });
    }

    /** Arguments in the order given (the last of two spellings is the one the binder keeps). */
    private static CallToolRequest wipe(String tool, Object... namesAndValues) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("disk", "sda");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            arguments.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return CallToolRequest.builder(tool).arguments(arguments).build();
    }

    private static McpSyncClient client(int port) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
