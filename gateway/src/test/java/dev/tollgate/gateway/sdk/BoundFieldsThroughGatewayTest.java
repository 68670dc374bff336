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
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Java upstream binds tool arguments to typed fields through Jackson (a handler converting the SDK's argument map, Spring
 * AI's {@code @Tool} methods taking a record), and Jackson's default coercions read {@code 42.5} and {@code "42"} into a
 * {@code long} as 42, and {@code 42} and {@code true} into a {@code String} as "42" and "true". A rule freezing account 42
 * (or "42") must pass none of them: run against the real Java SDK server (its tools declare no property types, so the
 * SDK's input validation lets every one through), direct and through the gateway.
 */
class BoundFieldsThroughGatewayTest {

    private static final String POLICY = """
            name: frozen-accounts
            defaults: {action: allow}
            rules:
              - name: frozen-account
                condition: {all: [{tool: transfer}, {arg: {path: /to, eq: 42}}]}
                action: deny
                message: Account 42 is frozen.
              - name: frozen-account-reference
                condition: {all: [{tool: pay}, {arg: {path: /to, in: ["42", "true"]}}]}
                action: deny
                message: Account 42 is frozen.
            """;

    /** What the tools' code receives: their arguments bound as a Spring AI or typed-SDK tool binds them. */
    record Transfer(long to, double amount) {
    }

    record Payment(String to, double amount) {
    }

    private static final ObjectMapper BINDER = new ObjectMapper();
    private static final List<Object> ACTED_ON = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0);
        addBoundTool("transfer", Transfer.class, Transfer::to);
        addBoundTool("pay", Payment.class, Payment::to);
        gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", POLICY, null, null);
    }

    private static <T> void addBoundTool(String name, Class<T> bound, Function<T, Object> account) {
        fixture.addTool(name, (exchange, request) -> {
            Object to = account.apply(BINDER.convertValue(request.arguments(), bound));
            ACTED_ON.add(to);
            return CallToolResult.builder().content(List.of(TextContent.builder("sent to " + to).build())).build();
        });
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
    void directTheUpstreamActsOnWhatItsFieldsKeep() {
        try (McpSyncClient client = client(fixture.port())) {
            client.initialize();

            client.callTool(call("transfer", 42.5));
            client.callTool(call("transfer", "42"));
            client.callTool(call("pay", 42));
            client.callTool(call("pay", true));
        }

        assertThat(ACTED_ON).as("the attack is real: each moved money to the frozen account")
                .containsExactly(42L, 42L, "42", "true");
    }

    @Test
    void throughTheGatewayEveryOtherReadingOfTheFrozenAccountIsDeniedAndNothingRuns() {
        try (McpSyncClient client = client(gateway.port())) {
            client.initialize();

            assertReadingsDisagree(client, "transfer", new Object[]{42.5, 42.999, 42.0001, "42", " 42", "4.2e1"}, "Java long field");
            assertReadingsDisagree(client, "pay", new Object[]{42, 42.0, true}, "String field");
            assertThatThrownBy(() -> client.callTool(call("transfer", 42))).as("the frozen account itself: the rule's own deny")
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(e.getMessage()).contains("Account 42 is frozen."));
            assertThatThrownBy(() -> client.callTool(call("pay", "42"))).as("the frozen reference itself")
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(e.getMessage()).contains("Account 42 is frozen."));
            CallToolResult elsewhere = client.callTool(call("transfer", 7.5));
            CallToolResult paidElsewhere = client.callTool(call("pay", 7));

            assertThat(((TextContent) elsewhere.content().get(0)).text()).isEqualTo("sent to 7");
            assertThat(((TextContent) paidElsewhere.content().get(0)).text()).isEqualTo("sent to 7");
        }
        assertThat(ACTED_ON).as("only the calls no reading freezes ran").containsExactly(7L, "7");
    }

    private static void assertReadingsDisagree(McpSyncClient client, String tool, Object[] accounts, String reader) {
        for (Object to : accounts) {
            assertThatThrownBy(() -> client.callTool(call(tool, to))).as("%s to: %s", tool, to)
                    .isInstanceOfSatisfying(McpError.class, e -> {
                        assertThat(e.getJsonRpcError().code()).isEqualTo(-32010);
                        assertThat(BINDER.valueToTree(e.getJsonRpcError().data()).path("reason").asText()).isEqualTo("number_readings_disagree");
                        assertThat(e.getMessage()).contains("frozen-account").contains(reader);
                    });
        }
    }

    private static CallToolRequest call(String tool, Object to) {
        return CallToolRequest.builder(tool).arguments(Map.of("to", to, "amount", 5)).build();
    }

    private static McpSyncClient client(int port) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .build();
    }
}
