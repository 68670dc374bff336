package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RunningGateway;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ClientCapabilities;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageResult;
import io.modelcontextprotocol.spec.McpSchema.ElicitResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official MCP Java SDK client, pointed at the gateway instead of the SDK server behind it, notices
 * nothing: every call returns what the same call returns direct, progress notifications and mid-call
 * sampling/elicitation requests arrive while the call is open, and closing the session ends it upstream.
 */
class McpJavaSdkThroughGatewayTest {

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0);
        gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fixture.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** What one client session observed, to compare direct against through-the-gateway. */
    record Observed(McpSchema.ListToolsResult tools, CallToolResult echo, CallToolResult add, CallToolResult progress,
                    List<Double> progressSeen, CallToolResult sampling, List<String> samplingPrompts,
                    CallToolResult elicitation, List<String> elicitationMessages, McpSchema.ReadResourceResult resource,
                    McpSchema.GetPromptResult prompt) {
    }

    @Test
    void sdkClientGetsTheSameResultsThroughTheGatewayAsDirect() {
        Observed direct = session(fixture.port());
        Observed viaGateway = session(gateway.port());

        // The SDK client hands notifications to its consumers on other threads, so the order in which the
        // consumer sees them is not the wire order (the wire order is checked in StreamableHttpRelayTest).
        assertThat(viaGateway.progressSeen()).containsExactlyInAnyOrderElementsOf(direct.progressSeen());
        assertThat(withoutProgressOrder(viaGateway)).isEqualTo(withoutProgressOrder(direct));
        assertThat(text(viaGateway.echo())).isEqualTo("hello through tollgate");
        assertThat(text(viaGateway.add())).isEqualTo("5.0");
        assertThat(viaGateway.progressSeen()).containsExactlyInAnyOrder(0.0, 50.0, 100.0);
        assertThat(text(viaGateway.sampling())).isEqualTo("LLM response: sampled: what is 2+2?");
        assertThat(viaGateway.samplingPrompts()).containsExactly("what is 2+2?");
        assertThat(text(viaGateway.elicitation())).startsWith("User response: action=ACCEPT");
        assertThat(viaGateway.elicitationMessages()).containsExactly("who are you?");
        assertThat(viaGateway.tools().tools()).extracting(McpSchema.Tool::name).contains("echo", "add", "test_sampling");
    }

    @Test
    void closingTheSessionThroughTheGatewayEndsItUpstream() throws Exception {
        McpSyncClient client = client(gateway.port(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        client.initialize();
        client.ping();
        int before = fixture.seen().size();

        client.closeGracefully();

        // The fixture records an exchange once its servlet has returned, which can be after the gateway relayed the answer
        // and the client returned: wait (bounded) for the DELETE's record rather than read the list at once.
        McpFixtureServer.Seen delete = await().alias("a DELETE reaching the upstream").atMost(Duration.ofSeconds(10))
                .until(() -> fixture.seen().stream().skip(before).filter(s -> s.method().equals("DELETE")).findFirst(), Optional::isPresent)
                .get();
        assertThat(delete.status()).isEqualTo(200);
        // The session no longer exists upstream: a request in it, sent straight to the fixture, is refused.
        HttpResponse<String> stale = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(fixture.url()))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("Mcp-Session-Id", delete.sessionId()).header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stale.statusCode()).isEqualTo(404);
    }

    private static Observed withoutProgressOrder(Observed o) {
        return new Observed(o.tools(), o.echo(), o.add(), o.progress(), o.progressSeen().stream().sorted().toList(), o.sampling(),
                o.samplingPrompts(), o.elicitation(), o.elicitationMessages(), o.resource(), o.prompt());
    }

    private static Observed session(int port) {
        List<Double> progress = new CopyOnWriteArrayList<>();
        List<String> samplingPrompts = new CopyOnWriteArrayList<>();
        List<String> elicitationMessages = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = client(port, progress, samplingPrompts, elicitationMessages)) {
            client.initialize();
            Observed observed = new Observed(
                    client.listTools(),
                    client.callTool(CallToolRequest.builder("echo").arguments(Map.of("text", "hello through tollgate")).build()),
                    client.callTool(CallToolRequest.builder("add").arguments(Map.of("a", 2, "b", 3)).build()),
                    client.callTool(CallToolRequest.builder("test_tool_with_progress").progressToken("p-1").build()),
                    progress,
                    client.callTool(CallToolRequest.builder("test_sampling").arguments(Map.of("prompt", "what is 2+2?")).build()),
                    samplingPrompts,
                    client.callTool(CallToolRequest.builder("test_elicitation").arguments(Map.of("message", "who are you?")).build()),
                    elicitationMessages,
                    client.readResource(new McpSchema.ReadResourceRequest("test://static-text")),
                    client.getPrompt(new McpSchema.GetPromptRequest("test_prompt_with_arguments", Map.of("arg1", "x", "arg2", "y"))));
            client.closeGracefully();
            return observed;
        }
    }

    private static McpSyncClient client(int port, List<Double> progress, List<String> samplingPrompts, List<String> elicitationMessages) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder("http://localhost:" + port)
                .endpoint("/mcp")
                .build();
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(20))
                .capabilities(ClientCapabilities.builder().sampling().elicitation().build())
                .progressConsumer((ProgressNotification p) -> progress.add(p.progress()))
                .sampling(request -> {
                    String prompt = ((TextContent) request.messages().get(0).content()).text();
                    samplingPrompts.add(prompt);
                    return CreateMessageResult.builder().role(McpSchema.Role.ASSISTANT)
                            .content(TextContent.builder("sampled: " + prompt).build()).model("test-model").build();
                })
                .elicitation(request -> {
                    elicitationMessages.add(request.message());
                    return new ElicitResult(ElicitResult.Action.ACCEPT, Map.of("username", "agent", "email", "agent@example.com"));
                })
                .build();
    }

    private static String text(CallToolResult result) {
        return ((TextContent) result.content().get(0)).text();
    }
}
