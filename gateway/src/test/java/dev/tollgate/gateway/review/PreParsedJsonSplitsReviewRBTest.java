package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review RB of brief DD's pre-parsed reading: JSON text that Python's {@code json.loads} reads and the gateway's reading
 * (Jackson, as {@code PreParsedArguments} configured it) refused, so the call was decided only as sent (a string at
 * {@code /config}) while FastMCP's {@code pre_parse_json} handed the tool the object. Each was checked with CPython's
 * json: {@code 1e9999999999} is the float inf (Jackson's BigDecimal reading raised "Exponent overflow"); a 1001-digit
 * integer is an int (Python refuses only past 4300 digits; Jackson's default number limit is 1000 characters); a key of
 * 50001 characters is a key (Jackson's default name limit is 50000).
 */
class PreParsedJsonSplitsReviewRBTest {

    private static final String POLICY = """
            name: deploys
            defaults: {action: allow}
            rules:
              - name: no-prod
                condition: {all: [{arg: {path: /config/targetEnv, eq: prod}}]}
                action: deny
                message: No deploys to prod.
            """;

    private static final Map<String, Object> DEPLOY_SCHEMA = Map.of("type", "object", "properties", Map.of(
            "config", Map.of("type", "object", "properties", Map.of("targetEnv", Map.of("type", "string")))));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How deep Python 3.12's json.loads reads (its C recursion limit), deeper than CPython 3.11's ~1000 and the gateway's. */
    private static final int PYTHON_312_DEPTH = 5_000;
    /** JSON text naming prod beside a value nested 1,500 deep: Python 3.12 reads it, the gateway's reading stops at 1,000. */
    private static final String DEEP = "{\"targetEnv\": \"prod\", \"pad\": " + "[".repeat(1_500) + "]".repeat(1_500) + "}";
    /** Python's json.loads for these texts: NaN, no length limit on numbers below int's 4300 digits nor on names; floats as doubles. */
    private static final ObjectMapper PYTHON_JSON = new ObjectMapper(JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).streamReadConstraints(StreamReadConstraints
            .builder().maxNumberLength(4300).maxNameLength(Integer.MAX_VALUE).maxNestingDepth(PYTHON_312_DEPTH).build()).build());
    private static final List<String> DEPLOYED_TO = new CopyOnWriteArrayList<>();

    /** JSON text each naming prod, and holding what the gateway's reading refused. */
    private static final List<String> TEXTS = List.of(
            "{\"targetEnv\": \"prod\", \"retries\": 1e9999999999}",
            "{\"targetEnv\": \"prod\", \"seed\": " + "7".repeat(1001) + "}",
            "{\"targetEnv\": \"prod\", \"" + "n".repeat(50_001) + "\": 1}");

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0, false);
        fixture.addTool("deploy", DEPLOY_SCHEMA, (exchange, request) -> {
            Object config = preParsedAsFastMcp(request.arguments().get("config"));
            Object env = config instanceof Map<?, ?> fields && fields.get("targetEnv") != null ? fields.get("targetEnv") : "dev";
            DEPLOYED_TO.add(env.toString());
            return CallToolResult.builder().content(List.of(TextContent.builder("deployed to " + env).build())).build();
        });
        gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", POLICY, null, null);
    }

    /** FastMCP's pre_parse_json: a str argument json.loads'd, kept when a dict, a list or None. */
    private static Object preParsedAsFastMcp(Object argument) {
        if (!(argument instanceof String text)) {
            return argument;
        }
        try {
            Object parsed = PYTHON_JSON.readValue(text, Object.class);
            return parsed instanceof Map || parsed instanceof List ? parsed : argument;
        } catch (java.io.IOException e) {
            return argument;
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
        DEPLOYED_TO.clear();
    }

    @Test
    void directTheToolReadsEachTextAsTheObjectAndDeploysToProd() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();
            for (String text : TEXTS) {
                client.callTool(CallToolRequest.builder("deploy").arguments(Map.of("config", text)).build());
            }
        }
        assertThat(DEPLOYED_TO).as("the attack is real: json.loads reads each text").containsExactly("prod", "prod", "prod");
    }

    @Test
    void throughTheGatewayJsonTextPythonReadsIsDecidedAsTheToolReadsIt() {
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains("deploy");
            for (String text : TEXTS) {
                assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("deploy").arguments(Map.of("config", text)).build()))
                        .as(text.length() > 80 ? text.substring(0, 80) : text)
                        .isInstanceOf(McpError.class).hasMessageContaining("No deploys to prod.");
            }
            CallToolResult staging = client.callTool(CallToolRequest.builder("deploy")
                    .arguments(Map.of("config", "{\"targetEnv\": \"staging\", \"retries\": 1e9999999999}")).build());
            assertThat(((TextContent) staging.content().get(0)).text()).isEqualTo("deployed to staging");
            // NaN was already read (a double): the reading holding it is decided and recorded as well.
            CallToolResult nan = client.callTool(CallToolRequest.builder("deploy")
                    .arguments(Map.of("config", "{\"targetEnv\": \"staging\", \"retries\": NaN}")).build());
            assertThat(((TextContent) nan.content().get(0)).text()).isEqualTo("deployed to staging");
        }
        assertThat(DEPLOYED_TO).as("only the calls the rule allows ran").containsExactly("staging", "staging");
    }

    /** Review RB 4: text nested past the gateway's reading is refused, not decided as sent (a string) while the tool gets prod. */
    @Test
    void jsonTextNestedDeeperThanTheGatewayReadsIsRefused() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();
            client.callTool(CallToolRequest.builder("deploy").arguments(Map.of("config", DEEP)).build());
        }
        assertThat(DEPLOYED_TO).as("the attack is real where json.loads reads deeper (Python 3.12)").containsExactly("prod");
        DEPLOYED_TO.clear();
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();
            assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("deploy").arguments(Map.of("config", DEEP)).build()))
                    .isInstanceOf(McpError.class).hasMessageContaining("nested deeper than the gateway reads");
        }
        assertThat(DEPLOYED_TO).as("nothing ran").isEmpty();
    }

    private static McpSyncClient client(int port) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
