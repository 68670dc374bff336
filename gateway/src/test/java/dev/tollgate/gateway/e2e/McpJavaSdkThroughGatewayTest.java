package dev.tollgate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.e2e.fixture.ConformanceFixtureServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ClientCapabilities;
import io.modelcontextprotocol.spec.McpSchema.CompleteRequest;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageRequest;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageResult;
import io.modelcontextprotocol.spec.McpSchema.ElicitFormRequest;
import io.modelcontextprotocol.spec.McpSchema.ElicitResult;
import io.modelcontextprotocol.spec.McpSchema.GetPromptRequest;
import io.modelcontextprotocol.spec.McpSchema.Implementation;
import io.modelcontextprotocol.spec.McpSchema.InitializeResult;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.PromptReference;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest;
import io.modelcontextprotocol.spec.McpSchema.Role;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official MCP Java SDK client ({@link HttpClientStreamableHttpTransport} + {@link McpClient#sync}) through the
 * gateway to the SDK fixture server: every result must equal the same call made directly to the fixture, and the
 * streamed parts (progress, logging, server-to-client sampling and elicitation mid-call) must reach the client.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpJavaSdkThroughGatewayTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** The fixture pauses 50 ms between progress notifications: a buffering proxy would deliver them with the result. */
    private static final long MIN_STREAMING_LEAD_MILLIS = 50;
    private static final Map<String, Object> ELICITED = Map.of("username", "ada", "email", "ada@example.org");

    private static ConformanceFixtureServer fixture;
    private static GatewayUnderTest gateway;

    @BeforeAll
    static void start() throws Exception {
        fixture = ConformanceFixtureServer.start();
        gateway = GatewayUnderTest.start(fixture.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** What one client saw besides results: notifications (with arrival time) and server-to-client requests. */
    static final class Seen {
        final List<ProgressNotification> progress = new CopyOnWriteArrayList<>();
        final List<Long> progressArrivalNanos = new CopyOnWriteArrayList<>();
        final List<LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        final List<CreateMessageRequest> samplingRequests = new CopyOnWriteArrayList<>();
        final List<ElicitFormRequest> elicitationRequests = new CopyOnWriteArrayList<>();
    }

    private static String directBase() {
        return "http://127.0.0.1:" + fixture.port();
    }

    private static McpSyncClient client(String base, Seen seen) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(base)
                .endpoint(ConformanceFixtureServer.ENDPOINT)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
        return McpClient.sync(transport)
                .clientInfo(new Implementation("tollgate-e2e-java", "1.0.0"))
                .requestTimeout(REQUEST_TIMEOUT)
                .initializationTimeout(REQUEST_TIMEOUT)
                .capabilities(ClientCapabilities.builder().sampling().elicitation().build())
                .sampling(request -> {
                    seen.samplingRequests.add(request);
                    String prompt = ((TextContent) request.messages().get(0).content()).text();
                    return CreateMessageResult.builder().role(Role.ASSISTANT)
                            .content(TextContent.builder("sampled answer to " + prompt).build()).model("e2e-model").build();
                })
                .elicitation(request -> {
                    seen.elicitationRequests.add(request);
                    return new ElicitResult(ElicitResult.Action.ACCEPT, ELICITED);
                })
                .progressConsumer(p -> {
                    seen.progressArrivalNanos.add(System.nanoTime());
                    seen.progress.add(p);
                })
                .loggingConsumer(seen.logs::add)
                .build();
    }

    /** Runs the same session script direct and through the gateway, each in its own initialized session. */
    private static <T> Both<T> bothWays(Function<Session, T> script) {
        return new Both<>(runSession(directBase(), script), runSession(gateway.baseUrl(), script));
    }

    record Session(McpSyncClient client, Seen seen, InitializeResult init) {
    }

    record Run<T>(T value, Seen seen) {
    }

    record Both<T>(Run<T> direct, Run<T> viaGateway) {
    }

    private static <T> Run<T> runSession(String base, Function<Session, T> script) {
        Seen seen = new Seen();
        McpSyncClient client = client(base, seen);
        try {
            InitializeResult init = client.initialize();
            return new Run<>(script.apply(new Session(client, seen, init)), seen);
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void initializeAndToolsListAreTheSameAsDirect() {
        Both<List<Object>> both = bothWays(s -> List.of(s.init().protocolVersion(), s.init().serverInfo(),
                s.init().capabilities(), s.client().listTools()));

        assertThat(both.viaGateway().value()).isEqualTo(both.direct().value());
        assertThat(both.viaGateway().value().get(0)).isEqualTo("2025-11-25");
    }

    @Test
    void toolCallsReturnTheSameResultsAsDirect() {
        List<CallToolRequest> calls = List.of(
                new CallToolRequest("echo", Map.of("text", "hello through tollgate")),
                new CallToolRequest("add", Map.of("a", 40, "b", 2)),
                new CallToolRequest("test_simple_text", Map.of()),
                new CallToolRequest("test_image_content", Map.of()),
                new CallToolRequest("test_audio_content", Map.of()),
                new CallToolRequest("test_embedded_resource", Map.of()),
                new CallToolRequest("test_multiple_content_types", Map.of()),
                new CallToolRequest("test_error_handling", Map.of()));
        Both<List<CallToolResult>> both = bothWays(s -> calls.stream().map(c -> s.client().callTool(c)).toList());

        assertThat(both.viaGateway().value()).isEqualTo(both.direct().value());
        assertThat(both.viaGateway().value().get(0).content()).containsExactly(TextContent.builder("hello through tollgate").build());
        assertThat(both.viaGateway().value().get(1).content()).containsExactly(TextContent.builder("42").build());
        assertThat(both.viaGateway().value().get(7).isError()).isTrue();
    }

    @Test
    void resourcesPromptsAndCompletionAreTheSameAsDirect() {
        Both<List<Object>> both = bothWays(s -> List.of(
                s.client().listResources(),
                s.client().listResourceTemplates(),
                s.client().readResource(new ReadResourceRequest("test://static-text")),
                s.client().readResource(new ReadResourceRequest("test://static-binary")),
                s.client().readResource(new ReadResourceRequest("test://template/123/data")),
                s.client().listPrompts(),
                s.client().getPrompt(new GetPromptRequest("test_prompt_with_arguments", Map.of("arg1", "hello", "arg2", "world"))),
                s.client().getPrompt(new GetPromptRequest("test_prompt_with_image", Map.of())),
                s.client().completeCompletion(new CompleteRequest(new PromptReference("test_prompt_with_arguments"),
                        new CompleteRequest.CompleteArgument("arg1", "par")))));

        assertThat(both.viaGateway().value()).isEqualTo(both.direct().value());
        assertThat(both.viaGateway().value().get(8).toString()).contains("paris", "park", "party");
    }

    @Test
    void progressNotificationsStreamToTheClientBeforeTheResult() {
        Both<Long> both = bothWays(s -> {
            s.client().callTool(new CallToolRequest("test_tool_with_progress", Map.of(), Map.of("progressToken", "e2e-progress")));
            return System.nanoTime();
        });

        assertThat(both.viaGateway().seen().progress).isEqualTo(both.direct().seen().progress);
        assertThat(both.viaGateway().seen().progress).extracting(ProgressNotification::progress).containsExactly(0.0, 50.0, 100.0);
        assertThat(both.viaGateway().seen().progress).allSatisfy(p -> assertThat(p.progressToken()).isEqualTo("e2e-progress"));
        long leadMillis = TimeUnit.NANOSECONDS.toMillis(both.viaGateway().value() - both.viaGateway().seen().progressArrivalNanos.get(0));
        assertThat(leadMillis).as("first progress arrives well before the result (streamed, not buffered)")
                .isGreaterThanOrEqualTo(MIN_STREAMING_LEAD_MILLIS);
    }

    @Test
    void loggingNotificationsReachTheClientDuringTheCall() {
        Both<CallToolResult> both = bothWays(s -> s.client().callTool(new CallToolRequest("test_tool_with_logging", Map.of())));

        assertThat(both.viaGateway().value()).isEqualTo(both.direct().value());
        assertThat(both.viaGateway().seen().logs).isEqualTo(both.direct().seen().logs);
        assertThat(both.viaGateway().seen().logs).extracting(LoggingMessageNotification::data)
                .containsExactly("Tool execution started", "Tool processing data", "Tool execution completed");
    }

    @Test
    void samplingRequestedMidCallIsAnsweredByTheClientAndTheCallCompletes() {
        Both<CallToolResult> both = bothWays(s -> s.client().callTool(new CallToolRequest("test_sampling", Map.of("prompt", "What is 2+2?"))));

        assertThat(both.viaGateway().value()).isEqualTo(both.direct().value());
        assertThat(both.viaGateway().value().content()).containsExactly(TextContent.builder("LLM response: sampled answer to What is 2+2?").build());
        assertThat(both.viaGateway().seen().samplingRequests).isEqualTo(both.direct().seen().samplingRequests).hasSize(1);
    }

    @Test
    void elicitationRequestedMidCallIsAnsweredByTheClientAndTheCallCompletes() {
        Both<List<CallToolResult>> both = bothWays(s -> List.of(
                s.client().callTool(new CallToolRequest("test_elicitation", Map.of("message", "Who are you?"))),
                s.client().callTool(new CallToolRequest("test_elicitation_sep1330_enums", Map.of()))));

        assertThat(both.viaGateway().value()).isEqualTo(both.direct().value());
        assertThat(((TextContent) both.viaGateway().value().get(0).content().get(0)).text()).startsWith("User response: action=accept");
        assertThat(both.viaGateway().seen().elicitationRequests).isEqualTo(both.direct().seen().elicitationRequests)
                .extracting(ElicitFormRequest::message).containsExactly("Who are you?", "Select your preferences");
    }

    @Test
    void closingTheClientGracefullyEndsTheUpstreamSession() throws Exception {
        List<String> before = fixture.issuedSessionIds();
        McpSyncClient client = client(gateway.baseUrl(), new Seen());
        client.initialize();
        client.listTools();
        List<String> issued = new ArrayList<>(fixture.issuedSessionIds());
        issued.removeAll(before);
        assertThat(issued).as("one upstream session opened through the gateway").hasSize(1);
        String sessionId = issued.get(0);

        assertThat(client.closeGracefully()).isTrue();

        assertThat(fixture.exchanges()).as("the client's DELETE reached the fixture for its session")
                .anySatisfy(e -> {
                    assertThat(e.method()).isEqualTo("DELETE");
                    assertThat(e.requestSessionId()).isEqualTo(sessionId);
                    assertThat(e.status()).isBetween(200, 299);
                });
        assertThat(directPing(sessionId)).as("the upstream no longer knows the session").isEqualTo(404);
    }

    /** A raw ping straight to the fixture in the given session: its HTTP status. */
    private static int directPing(String sessionId) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(fixture.url()))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header(ConformanceFixtureServer.SESSION_HEADER, sessionId)
                .header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
                .build();
        return http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

}
