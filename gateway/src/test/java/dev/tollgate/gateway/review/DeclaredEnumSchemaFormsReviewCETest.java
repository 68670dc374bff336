package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review CE: schema forms the gateway's reader of listed enums ({@code ToolEnums}) misses or misreads, through the
 * gateway, against the real Java SDK server (input validation off, as a server binding its own arguments runs it) whose
 * tools bind their arguments with Jackson's defaults ({@code 1} and {@code "1"} read as the constant of ordinal 1), and
 * the real Java SDK client. Each tool is listed through the gateway before it is called.
 */
class DeclaredEnumSchemaFormsReviewCETest {

    enum Mode { SAFE, DESTROY }

    private static final Map<String, Object> MODE = Map.of("type", "string", "enum", List.of("SAFE", "DESTROY"));
    private static final ObjectMapper BINDER = new ObjectMapper();
    private static final List<Object> ACTED_ON = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0, false);
        // Map<String, Mode>: what victools/Spring AI write for a map of enums (additionalProperties).
        fixture.addTool("wipe_map", Map.of("type", "object", "properties", Map.of(
                "modes", Map.of("type", "object", "additionalProperties", MODE))), (exchange, request) -> acted(
                BINDER.convertValue(request.arguments().get("modes"), new TypeReference<Map<String, Mode>>() { })));
        fixture.addTool("wipe_pattern", Map.of("type", "object", "properties", Map.of(
                "modes", Map.of("type", "object", "patternProperties", Map.of("^sd", MODE)))), (exchange, request) -> acted(
                BINDER.convertValue(request.arguments().get("modes"), new TypeReference<Map<String, Mode>>() { })));
        // A 2020-12 tuple (zod 4's z.tuple, Pydantic's tuple[Mode]).
        fixture.addTool("wipe_tuple", Map.of("type", "object", "properties", Map.of(
                "steps", Map.of("type", "array", "prefixItems", List.of(MODE)))), (exchange, request) -> acted(
                BINDER.convertValue(request.arguments().get("steps"), new TypeReference<List<Mode>>() { })));
        // A same-document reference written as an absolute URI (the schema's own $id), as generators with $id emit.
        fixture.addTool("wipe_absref", Map.of("$id", "https://tools.example/wipe", "type", "object",
                "$defs", Map.of("Mode", MODE),
                "properties", Map.of("mode", Map.of("$ref", "https://tools.example/wipe#/$defs/Mode"))), (exchange, request) -> acted(
                BINDER.convertValue(request.arguments().get("mode"), Mode.class)));
        // Rest items after a free-text head (z.tuple([z.string()]).rest(z.enum(...))): items constrains index 1 on only.
        fixture.addTool("tag", Map.of("type", "object", "properties", Map.of(
                "tags", Map.of("type", "array", "prefixItems", List.of(Map.of("type", "string")),
                        "items", Map.of("type", "string", "enum", List.of("A", "B"))))), (exchange, request) -> acted(
                request.arguments().get("tags")));
        // An enum of objects: JSON Schema compares objects by their members, not by the order they are written in.
        fixture.addTool("wait", Map.of("type", "object", "properties", Map.of(
                "delay", Map.of("type", "object", "enum", List.of(Map.of("unit", "s", "n", 1))))), (exchange, request) -> acted(
                request.arguments().get("delay")));
        gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", null, null);
    }

    private static CallToolResult acted(Object bound) {
        ACTED_ON.add(bound);
        return CallToolResult.builder().content(List.of(TextContent.builder("acted on " + bound).build())).build();
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
    void aMapOfEnumValuesListedThroughAdditionalPropertiesIsHeldToItsEnum() {
        assertRefusedAndNothingRan("wipe_map", Map.of("modes", Map.of("sda", 1)));
    }

    @Test
    void aMapOfEnumValuesListedThroughPatternPropertiesIsHeldToItsEnum() {
        assertRefusedAndNothingRan("wipe_pattern", Map.of("modes", Map.of("sda", 1)));
    }

    @Test
    void aTupleListedThroughPrefixItemsIsHeldToItsEnum() {
        assertRefusedAndNothingRan("wipe_tuple", Map.of("steps", List.of(1)));
    }

    @Test
    void aSameDocumentRefWrittenAsTheSchemasAbsoluteUriIsHeldToItsEnum() {
        assertRefusedAndNothingRan("wipe_absref", Map.of("mode", 1));
    }

    @Test
    void restItemsAfterAFreeTextHeadDoNotRefuseTheHead() {
        try (McpSyncClient client = client()) {
            client.initialize();
            client.listTools();
            CallToolResult result = client.callTool(CallToolRequest.builder("tag").arguments(Map.of("tags", List.of("free text", "A"))).build());
            assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        }
        assertThat(ACTED_ON).hasSize(1);
    }

    @Test
    void anObjectEnumValueWithItsMembersInAnotherOrderIsAllowed() {
        Map<String, Object> delay = new LinkedHashMap<>();
        delay.put("n", 1);
        delay.put("unit", "s");
        Map<String, Object> other = new LinkedHashMap<>();
        other.put("unit", "s");
        other.put("n", 1);
        try (McpSyncClient client = client()) {
            client.initialize();
            client.listTools();
            client.callTool(CallToolRequest.builder("wait").arguments(Map.of("delay", other)).build());
            client.callTool(CallToolRequest.builder("wait").arguments(Map.of("delay", delay)).build());
        }
        assertThat(ACTED_ON).as("both orders are the one listed value").hasSize(2);
    }

    private static void assertRefusedAndNothingRan(String tool, Map<String, Object> arguments) {
        try (McpSyncClient client = client()) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains(tool);
            assertOutsideEnum(client, tool, arguments);
        }
        assertThat(ACTED_ON).as("the tool bound 1 to DESTROY and acted on it").isEmpty();
    }

    private static void assertOutsideEnum(McpSyncClient client, String tool, Map<String, Object> arguments) {
        assertThatThrownBy(() -> client.callTool(CallToolRequest.builder(tool).arguments(arguments).build())).as("%s %s", tool, arguments)
                .isInstanceOfSatisfying(McpError.class, e -> assertThat(BINDER.valueToTree(e.getJsonRpcError().data()).path("reason").asText())
                        .isEqualTo("argument_outside_declared_enum"));
    }

    private static McpSyncClient client() {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + gateway.port()).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
