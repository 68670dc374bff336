package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Review BX's open finding 4: a Java tool binding an enum parameter with Jackson's defaults reads {@code 1} and
 * {@code "1"} as the constant of ordinal 1, so a rule denying {@code mode: DESTROY} let them through and the tool
 * destroyed. The tool's listed input schema names the only values it takes ({@code enum: [SAFE, DESTROY]}): the gateway
 * now refuses a call holding any other value ({@code argument_outside_declared_enum}) before policy, and the rule decides
 * on the names. Against the real Java SDK server (input validation off, as a server binding its own arguments runs it)
 * and the real Java SDK client.
 */
class DeclaredEnumThroughGatewayTest {

    private static final String POLICY = """
            name: wipes
            defaults: {action: allow}
            rules:
              - name: no-destroy
                condition: {all: [{tool: wipe}, {arg: {path: /mode, eq: DESTROY}}]}
                action: deny
                message: No destroying wipes.
            """;

    enum Mode { SAFE, DESTROY }

    record WipeArguments(String disk, Mode mode) {
    }

    private static final Map<String, Object> WIPE_SCHEMA = Map.of("type", "object", "properties", Map.of(
            "disk", Map.of("type", "string"),
            "mode", Map.of("type", "string", "enum", List.of("SAFE", "DESTROY"))));
    private static final ObjectMapper BINDER = new ObjectMapper();
    private static final List<Mode> ACTED_ON = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0, false);
        fixture.addTool("wipe", WIPE_SCHEMA, (exchange, request) -> {
            Mode mode = BINDER.convertValue(request.arguments(), WipeArguments.class).mode();
            ACTED_ON.add(mode);
            return CallToolResult.builder().content(List.of(TextContent.builder("wiped " + mode).build())).build();
        });
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
    void directTheToolDestroysOnAnOrdinal() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();
            client.callTool(wipe(1));
            client.callTool(wipe("1"));
        }
        assertThat(ACTED_ON).as("the attack is real: Jackson binds 1 and \"1\" to DESTROY").containsExactly(Mode.DESTROY, Mode.DESTROY);
    }

    @Test
    void throughTheGatewayAValueTheListedSchemaDoesNotNameIsRefusedAndNothingRuns() {
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains("wipe");

            for (Object mode : new Object[]{1, "1", "DESTROY ", "destroy", 1.0, true, List.of("DESTROY")}) {
                assertOutsideEnum(client, mode);
            }
            assertThatThrownBy(() -> client.callTool(wipe("DESTROY"))).as("the name itself: the rule's own deny")
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(e.getMessage()).contains("No destroying wipes."));
            CallToolResult safe = client.callTool(wipe("SAFE"));
            assertThat(((TextContent) safe.content().get(0)).text()).isEqualTo("wiped SAFE");
            CallToolResult noMode = client.callTool(CallToolRequest.builder("wipe").arguments(Map.of("disk", "sda")).build());
            assertThat(((TextContent) noMode.content().get(0)).text()).as("an absent argument holds no value").isEqualTo("wiped null");
        }
        assertThat(ACTED_ON).as("only the calls naming a listed value other than DESTROY ran").containsExactly(Mode.SAFE, null);
    }

    @Test
    void aSessionThatNeverListedIsHeldToTheRoutesLatestList() {
        try (McpSyncClient lister = client(gateway.port())) {
            lister.initialize();
            lister.listTools();
        }
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();
            assertOutsideEnum(client, 1);
        }
        assertThat(ACTED_ON).isEmpty();
    }

    private static void assertOutsideEnum(McpSyncClient client, Object mode) {
        assertThatThrownBy(() -> client.callTool(wipe(mode))).as("mode: %s", mode)
                .isInstanceOfSatisfying(McpError.class, e -> {
                    assertThat(e.getJsonRpcError().code()).isEqualTo(-32010);
                    assertThat(BINDER.valueToTree(e.getJsonRpcError().data()).path("reason").asText()).isEqualTo("argument_outside_declared_enum");
                    assertThat(e.getMessage()).contains("/mode").contains("'wipe'");
                });
    }

    private static CallToolRequest wipe(Object mode) {
        return CallToolRequest.builder("wipe").arguments(Map.of("disk", "sda", "mode", mode)).build();
    }

    private static McpSyncClient client(int port) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
