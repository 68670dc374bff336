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
 * Brief DD: a Python tool whose parameter is a Pydantic model with {@code ConfigDict(alias_generator=to_camel,
 * populate_by_name=True)} lists {@code config.targetEnv} (FastMCP writes the schema by alias) and binds both
 * {@code targetEnv} and {@code target_env} (the alias first, then the field's name: pydantic-core's lookup). A rule on
 * {@code /config/targetEnv} read nothing in {@code {"config": {"target_env": "prod"}}} and the tool deployed to prod.
 * And FastMCP's {@code pre_parse_json} reads a string argument holding JSON as the object ({@code {"config":
 * "{\"targetEnv\": \"prod\"}"}}), where the rule read a string at {@code /config}: decided on that reading too.
 * No Python runs here: the server is the official Java SDK's, its handler binding the arguments as FastMCP and that model do.
 */
class PydanticAliasThroughGatewayTest {

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
    private static final List<String> DEPLOYED_TO = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0, false);
        fixture.addTool("deploy", DEPLOY_SCHEMA, (exchange, request) -> {
            String env = boundAsPydantic(preParsedAsFastMcp(request.arguments().get("config")));
            DEPLOYED_TO.add(env);
            return CallToolResult.builder().content(List.of(TextContent.builder("deployed to " + env).build())).build();
        });
        gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", POLICY, null, null);
    }

    /** FastMCP's pre_parse_json: a str argument of a parameter not annotated str, json.loads'd, kept when a dict or list. */
    private static Object preParsedAsFastMcp(Object argument) {
        if (!(argument instanceof String text)) {
            return argument;
        }
        try {
            Object parsed = JSON.readValue(text, Object.class);
            return parsed instanceof Map || parsed instanceof List ? parsed : argument;
        } catch (java.io.IOException e) {
            return argument;
        }
    }

    /** The field {@code target_env} (alias {@code targetEnv}) of a model validating by alias and by name; default "dev". */
    private static String boundAsPydantic(Object config) {
        if (!(config instanceof Map<?, ?> fields)) {
            return "dev";
        }
        Object value = fields.containsKey("targetEnv") ? fields.get("targetEnv") : fields.get("target_env");
        return value == null ? "dev" : value.toString();
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
    void directTheToolDeploysToProdFromThePythonName() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();
            client.callTool(deploy("target_env", "prod"));
        }
        assertThat(DEPLOYED_TO).as("the attack is real: the model binds target_env as targetEnv").containsExactly("prod");
    }

    @Test
    void directTheToolDeploysToProdFromJsonTextInAString() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();
            client.callTool(CallToolRequest.builder("deploy").arguments(Map.of("config", "{\"targetEnv\": \"prod\"}")).build());
        }
        assertThat(DEPLOYED_TO).as("the attack is real: the string is parsed into the object").containsExactly("prod");
    }

    @Test
    void throughTheGatewayJsonTextInAStringIsDecidedAsTheToolParsesIt() {
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains("deploy");
            for (String text : List.of("{\"targetEnv\": \"prod\"}", " \n{\"targetEnv\":\"dev\",\"targetEnv\":\"prod\"}")) {
                assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("deploy").arguments(Map.of("config", text)).build()))
                        .as(text).isInstanceOf(McpError.class).hasMessageContaining("No deploys to prod.");
            }
            // Both at once: the Python name inside the JSON text is held to the listed spelling as well.
            assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("deploy")
                    .arguments(Map.of("config", "{\"target_env\": \"prod\"}")).build())).isInstanceOfSatisfying(McpError.class, e -> {
                        assertThat(JSON.valueToTree(e.getJsonRpcError().data()).path("reason").asText()).isEqualTo("ambiguous_argument_name");
                        assertThat(e.getMessage()).contains("/config/target_env");
                    });
            CallToolResult staging = client.callTool(CallToolRequest.builder("deploy")
                    .arguments(Map.of("config", "{\"targetEnv\": \"staging\"}")).build());
            assertThat(((TextContent) staging.content().get(0)).text()).isEqualTo("deployed to staging");
        }
        assertThat(DEPLOYED_TO).as("only the call the rule allows on both readings ran").containsExactly("staging");
    }

    @Test
    void throughTheGatewayTheFieldsPythonNameIsRefusedAndNothingRuns() {
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(t -> t.name()).contains("deploy");

            assertThatThrownBy(() -> client.callTool(deploy("target_env", "prod"))).isInstanceOfSatisfying(McpError.class, e -> {
                assertThat(e.getJsonRpcError().code()).isEqualTo(-32010);
                assertThat(JSON.valueToTree(e.getJsonRpcError().data()).path("reason").asText()).isEqualTo("ambiguous_argument_name");
                assertThat(e.getMessage()).contains("/config/target_env");
            });
            assertThatThrownBy(() -> client.callTool(deploy("target-env", "prod"))).isInstanceOf(McpError.class)
                    .hasMessageContaining("/config/target-env");
            assertThatThrownBy(() -> client.callTool(deploy("targetEnv", "prod"))).as("the listed name: the rule's own deny")
                    .hasMessageContaining("No deploys to prod.");
            CallToolResult staging = client.callTool(deploy("targetEnv", "staging"));
            assertThat(((TextContent) staging.content().get(0)).text()).isEqualTo("deployed to staging");
        }
        assertThat(DEPLOYED_TO).as("only the call spelling the argument as listed ran").containsExactly("staging");
    }

    private static CallToolRequest deploy(String name, String env) {
        return CallToolRequest.builder("deploy").arguments(Map.of("config", Map.of(name, env))).build();
    }

    private static McpSyncClient client(int port) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
