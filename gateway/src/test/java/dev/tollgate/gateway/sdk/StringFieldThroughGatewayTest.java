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
 * The other way round from {@link IntegerFieldThroughGatewayTest}: a Java upstream binding tool arguments to a
 * {@code String} field through Jackson reads the number {@code 42} as "42" and {@code true} as "true" (Jackson's
 * default scalar-to-string coercion). A rule freezing account "42" must therefore not pass the number: run against
 * the real Java SDK server (its tool declares no property types, so the SDK's input validation lets both through),
 * direct and through the gateway.
 */
class StringFieldThroughGatewayTest {

    private static final String POLICY = """
            name: frozen-accounts
            defaults: {action: allow}
            rules:
              - name: frozen-account
                condition: {all: [{tool: transfer}, {arg: {path: /to, in: ["42", "true"]}}]}
                action: deny
                message: Account 42 is frozen.
            """;

    /** What the tool's code receives: its arguments bound as a Spring AI or typed-SDK tool binds them. */
    record Transfer(String to, double amount) {
    }

    private static final ObjectMapper BINDER = new ObjectMapper();
    private static final List<String> TRANSFERRED_TO = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0);
        fixture.addTool("transfer", (exchange, request) -> {
            Transfer transfer = BINDER.convertValue(request.arguments(), Transfer.class);
            TRANSFERRED_TO.add(transfer.to());
            return CallToolResult.builder().content(List.of(TextContent.builder("sent to " + transfer.to()).build())).build();
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
        TRANSFERRED_TO.clear();
    }

    @Test
    void directTheUpstreamActsOnTheTextOfANumber() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();

            client.callTool(transfer(42));
            client.callTool(transfer(true));
        }

        assertThat(TRANSFERRED_TO).as("the attack is real: 42 and true moved money to accounts \"42\" and \"true\"")
                .containsExactly("42", "true");
    }

    @Test
    void throughTheGatewayTheNumberIsDeniedAndNothingRuns() {
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();

            for (Object to : new Object[]{42, 42.0, true}) {
                assertThatThrownBy(() -> client.callTool(transfer(to))).as("to: %s", to)
                        .isInstanceOfSatisfying(McpError.class, e -> {
                            assertThat(e.getJsonRpcError().code()).isEqualTo(-32010);
                            assertThat(BINDER.valueToTree(e.getJsonRpcError().data()).path("reason").asText()).isEqualTo("number_readings_disagree");
                            assertThat(e.getMessage()).contains("frozen-account").contains("String field");
                        });
            }
            assertThatThrownBy(() -> client.callTool(transfer("42"))).as("the frozen account itself: the rule's own deny")
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(e.getMessage()).contains("Account 42 is frozen."));
            CallToolResult elsewhere = client.callTool(transfer(7));

            assertThat(((TextContent) elsewhere.content().get(0)).text()).isEqualTo("sent to 7");
        }
        assertThat(TRANSFERRED_TO).as("only the transfer no reading freezes ran").containsExactly("7");
    }

    private static CallToolRequest transfer(Object to) {
        return CallToolRequest.builder("transfer").arguments(Map.of("to", to, "amount", 5)).build();
    }

    private static McpSyncClient client(int port) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
