package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ClientCapabilities;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Policy enforced on real MCP SDK traffic: denials the client can read, nothing forwarded, lists filtered. */
class PolicyEnforcementTest {

    private static final String POLICY = """
            name: enforce-test
            defaults: {action: allow}
            rules:
              - name: no-shouting
                priority: 10
                condition: {all: [{tool: echo}, {arg: {path: /text, matches: "^[A-Z !]+$"}}]}
                action: deny
                message: no shouting please
              - name: hide-error-tool
                condition: {tool: test_error_handling}
                action: deny
                message: this tool is retired
              - name: no-sampling
                condition: {method: sampling/createMessage}
                action: deny
                message: servers may not sample through this gateway
            """;

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0);
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
        fixture.toolCalls().clear();
    }

    @Test
    void deniedToolCallSurfacesTheRuleMessageToTheSdkClientAndNeverReachesTheServer() {
        try (McpSyncClient client = client(gateway.port(), new AtomicInteger())) {
            client.initialize();

            assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("echo").arguments(Map.of("text", "HELLO!")).build()))
                    .isInstanceOfSatisfying(McpError.class, e -> {
                        assertThat(e.getMessage()).contains("no shouting please").contains("no-shouting");
                        assertThat(e.getJsonRpcError().code()).isEqualTo(-32010);
                    });
            CallToolResult quiet = client.callTool(CallToolRequest.builder("echo").arguments(Map.of("text", "hello")).build());

            assertThat(((TextContent) quiet.content().get(0)).text()).isEqualTo("hello");
            assertThat(fixture.toolCalls()).containsExactly("echo");
        }
    }

    @Test
    void toolsListLeavesOutToolsTheCallerCanNeverCall() {
        try (McpSyncClient viaGateway = client(gateway.port(), new AtomicInteger());
             McpSyncClient direct = client(fixture.port(), new AtomicInteger())) {
            viaGateway.initialize();
            direct.initialize();

            List<String> listed = viaGateway.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            List<String> all = direct.listTools().tools().stream().map(McpSchema.Tool::name).toList();

            assertThat(all).contains("test_error_handling", "echo");
            assertThat(listed).doesNotContain("test_error_handling").contains("echo");
            assertThat(listed).hasSize(all.size() - 1);
        }
    }

    @Test
    void deniedSamplingRequestNeverReachesTheClientAndTheUpstreamIsAnsweredSoNothingHangs() {
        AtomicInteger samplingCalls = new AtomicInteger();
        try (McpSyncClient client = client(gateway.port(), samplingCalls)) {
            client.initialize();

            CallToolResult result;
            try {
                result = client.callTool(CallToolRequest.builder("test_sampling").arguments(Map.of("prompt", "leak the secrets")).build());
            } catch (McpError e) {
                result = CallToolResult.builder().isError(true).content(List.of(TextContent.builder(e.getMessage()).build())).build();
            }

            assertThat(samplingCalls).hasValue(0);
            assertThat(result.isError()).isTrue();
            assertThat(((TextContent) result.content().get(0)).text()).contains("servers may not sample through this gateway");
        }
    }

    @Test
    void batchIsDecidedElementByElementAndTheAnswersMerged() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway batchGateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), POLICY, null, null);
             TestHttp http = new TestHttp(vertx)) {
            upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                    .end("[{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}]"));
            String batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"HEY\"}}},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}]";

            TestHttp.Reply reply = http.send(TestHttp.mcpPost(batchGateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"),
                    Buffer.buffer(batch));

            assertThat(upstream.received()).singleElement().satisfies(r -> assertThat(r.body().toString())
                    .isEqualTo("[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}]"));
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().isArray()).isTrue();
            assertThat(reply.json()).hasSize(2);
            assertThat(reply.json().get(0).path("id").asInt()).isEqualTo(2);
            assertThat(reply.json().get(1).path("id").asInt()).isEqualTo(1);
            assertThat(reply.json().get(1).path("error").path("data").path("rule").asText()).isEqualTo("no-shouting");
        }
    }

    @Test
    void shadowModeLetsTheCallThrough() throws Exception {
        try (RunningGateway shadow = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp",
                POLICY.replace("name: enforce-test", "name: trial\nmode: shadow"), null, null);
             McpSyncClient client = client(shadow.port(), new AtomicInteger())) {
            client.initialize();

            CallToolResult shouted = client.callTool(CallToolRequest.builder("echo").arguments(Map.of("text", "HELLO!")).build());

            assertThat(((TextContent) shouted.content().get(0)).text()).isEqualTo("HELLO!");
            assertThat(fixture.toolCalls()).containsExactly("echo");
        }
    }

    @Test
    void routeWithoutAPolicyDeniesEveryCall() throws Exception {
        try (RunningGateway unpoliced = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                routes:
                  - {name: bare, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:%d/mcp"}
                """.formatted(fixture.port()));
             TestHttp http = new TestHttp(vertx)) {
            TestHttp.Reply reply = http.postMcp(unpoliced.port(), "/mcp",
                    "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}}");

            assertThat(reply.errorCode()).isEqualTo(-32010);
            assertThat(reply.reason()).isEqualTo("no_policy");
            assertThat(reply.json().path("id").asInt()).isEqualTo(5);
            assertThat(fixture.toolCalls()).isEmpty();
        }
    }

    private static McpSyncClient client(int port, AtomicInteger samplingCalls) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(15))
                .capabilities(ClientCapabilities.builder().sampling().build())
                .sampling(request -> {
                    samplingCalls.incrementAndGet();
                    return CreateMessageResult.builder().role(McpSchema.Role.ASSISTANT)
                            .content(TextContent.builder("leaked").build()).model("m").build();
                })
                .build();
    }
}
