package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ordering guarantees, read from spans exported by the SDK's in-memory exporter: every allowed and
 * every denied call's span carries the decision; a denied call's span is exported before its error is
 * sent; a call whose upstream never answers still has its decision exported (on a short span, after
 * {@code decision-span-after}); a call answered sooner exports one span, not three.
 */
class SpanBeforeForwardingTest {

    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: no-shell\n    condition: {tool: \"shell_*\"}\n    action: deny\n    message: no shells\n";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private InMemorySpanExporter spans;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        startGateway(false);
        http = new TestHttp(vertx);
    }

    private void startGateway(boolean upstreamSpans) throws Exception {
        startGateway(upstreamSpans, TelemetryConfig.DEFAULT_DECISION_SPAN_AFTER);
    }

    private void startGateway(boolean upstreamSpans, Duration decisionSpanAfter) throws Exception {
        startGateway(new TelemetryConfig("tollgate", "none", true, List.of("/password"), upstreamSpans, decisionSpanAfter));
    }

    private void startGateway(TelemetryConfig telemetry) throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        spans = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        Files.writeString(dir.resolve("p.yaml"), POLICY);
        GatewayServices services = new GatewayServices(new GatewayMetrics(), Telemetry.of(sdk, telemetry), null);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p",
                // Redaction is read from the configuration each call was decided under, as a reload would change it.
                "limits: {max-body-bytes: 65536}\ntelemetry: {redact: [/password]}\n" + dev.tollgate.gateway.support.TestSessions.YAML), services);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void allowedCallSpansCarryTheDecisionContinueTheIncomingTraceAndPropagateUpstream() throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp")
                        .putHeader("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01")
                        .putHeader("Mcp-Session-Id", dev.tollgate.gateway.support.TestSessions.sealed("upstream", "sess-1")),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"q\":\"x\",\"password\":\"hunter2\"}}}"));

        assertThat(reply.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> server().isPresent());
        SpanData server = server().orElseThrow();
        assertThat(server.getName()).isEqualTo("tools/call search");
        assertThat(server.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(server.getParentSpanId()).isEqualTo(PARENT_SPAN_ID);
        assertThat(server.getAttributes().get(CallAttributes.POLICY_ALLOWED)).isTrue();
        assertThat(server.getAttributes().get(CallAttributes.POLICY_ACTION)).isEqualTo("allow");
        assertThat(server.getAttributes().get(CallAttributes.POLICY_RULE)).isEqualTo("default");
        assertThat(server.getAttributes().get(CallAttributes.MCP_METHOD)).isEqualTo("tools/call");
        assertThat(server.getAttributes().get(CallAttributes.GEN_AI_TOOL_NAME)).isEqualTo("search");
        // The upstream's session id, not the sealed form the client holds.
        assertThat(server.getAttributes().get(CallAttributes.MCP_SESSION_ID)).isEqualTo("sess-1");
        assertThat(server.getAttributes().get(CallAttributes.JSONRPC_REQUEST_ID)).isEqualTo("7");
        assertThat(server.getAttributes().get(CallAttributes.GEN_AI_TOOL_ARGUMENTS)).contains("\"q\":\"x\"").contains("[REDACTED]").doesNotContain("hunter2");
        // One span per call: the upstream leg is on the SERVER span, whose context the upstream continues.
        assertThat(spans.getFinishedSpanItems()).as("an answered call exports one span").hasSize(1);
        assertThat(server.getAttributes().get(CallAttributes.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(server.getAttributes().get(CallAttributes.UPSTREAM_DURATION_MS)).isPositive();
        String forwarded = upstream.received().get(0).headers().get("traceparent");
        assertThat(forwarded).startsWith("00-" + TRACE_ID + "-" + server.getSpanId());
    }

    @Test
    void withIncomingTraceLinkACallStartsItsOwnTraceLinkedToTheCallersSpan() throws Exception {
        startGateway(new TelemetryConfig("tollgate", "none", true, List.of(), false, TelemetryConfig.DEFAULT_DECISION_SPAN_AFTER, 1.0, true, true));
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp")
                        .putHeader("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01")
                        .putHeader("tracestate", "caller=chosen"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}"));

        assertThat(reply.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> server().isPresent());
        SpanData server = server().orElseThrow();
        assertThat(server.getTraceId()).as("a trace of the gateway's own").isNotEqualTo(TRACE_ID);
        assertThat(server.getParentSpanContext().isValid()).as("a root span").isFalse();
        assertThat(server.getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(TRACE_ID);
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(PARENT_SPAN_ID);
        });
        // The upstream continues the gateway's trace only: neither the caller's traceparent nor its tracestate.
        assertThat(upstream.received().get(0).headers().getAll("traceparent")).singleElement().asString()
                .startsWith("00-" + server.getTraceId() + "-" + server.getSpanId() + "-");
        assertThat(upstream.received().get(0).headers().contains("tracestate")).isFalse();

        // Without a traceparent there is nothing to link.
        http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> spans.getFinishedSpanItems().size() == 2);
        assertThat(spans.getFinishedSpanItems().get(1).getLinks()).isEmpty();
    }

    @Test
    void upstreamSpansGiveTheUpstreamRequestAClientSpanWhoseContextTravels() throws Exception {
        startGateway(true);
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp")
                        .putHeader("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}"));

        assertThat(reply.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> server().isPresent());
        SpanData client = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        assertThat(client.getParentSpanId()).isEqualTo(server().orElseThrow().getSpanId());
        assertThat(client.getAttributes().get(CallAttributes.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(upstream.received().get(0).headers().get("traceparent")).startsWith("00-" + TRACE_ID + "-" + client.getSpanId());
        assertThat(spans.getFinishedSpanItems()).noneMatch(s -> s.getName().equals("policy decision"));
    }

    @Test
    void deniedCallSpanIsExportedBeforeTheErrorReachesTheClient() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"shell_exec\",\"arguments\":{}}}");

        // No waiting: the span was ended, and with a simple processor exported, before the answer was written.
        Optional<SpanData> server = server();
        assertThat(reply.reason()).isEqualTo("policy_denied");
        assertThat(server).isPresent();
        assertThat(server.get().getAttributes().get(CallAttributes.POLICY_ALLOWED)).isFalse();
        assertThat(server.get().getAttributes().get(CallAttributes.POLICY_RULE)).isEqualTo("no-shell");
        assertThat(server.get().getAttributes().get(CallAttributes.POLICY_ACTION)).isEqualTo("deny");
        assertThat(spans.getFinishedSpanItems()).noneMatch(s -> s.getKind() == SpanKind.CLIENT);
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void callWhoseUpstreamNeverAnswersStillHasItsDecisionExported() throws Exception {
        upstream.answer(request -> { /* never answers */ });
        CompletableFuture<HttpClientRequest> sent = new CompletableFuture<>();
        http.raw().request(TestHttp.mcpPost(gateway.port(), "/mcp")).onSuccess(req -> {
            req.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{}}}");
            sent.complete(req);
        });
        HttpClientRequest request = sent.get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.received().size() == 1);

        await().atMost(Duration.ofSeconds(5)).until(() -> decisionSpan().isPresent());
        assertThat(decisionSpan().get().getAttributes().get(CallAttributes.POLICY_ALLOWED)).isTrue();
        assertThat(server()).as("the call is still open").isEmpty();

        request.connection().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server().isPresent());
        assertThat(server().get().getAttributes().get(CallAttributes.ERROR_TYPE)).isEqualTo("client_aborted");
    }

    @Test
    void aStreamedAnswerExportsItsDecisionWhenTheStreamOpensNotWhenItEnds() throws Exception {
        startGateway(false, Duration.ofHours(1)); // only the stream can be what exports the decision span
        upstream.answer(request -> request.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
                .write("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":1,\"progress\":1}}\n\n"));
        CompletableFuture<HttpClientRequest> sent = new CompletableFuture<>();
        http.raw().request(TestHttp.mcpPost(gateway.port(), "/mcp")).onSuccess(req -> {
            req.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"long_job\",\"arguments\":{}}}");
            sent.complete(req);
        });
        HttpClientRequest request = sent.get(5, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).until(() -> decisionSpan().isPresent());
        assertThat(decisionSpan().get().getAttributes().get(CallAttributes.GEN_AI_TOOL_NAME)).as("the decision's attributes only").isNull();
        assertThat(decisionSpan().get().getAttributes().get(CallAttributes.POLICY_ALLOWED)).isTrue();
        assertThat(server()).as("the stream is still open").isEmpty();
        request.connection().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server().isPresent());
        assertThat(spans.getFinishedSpanItems()).filteredOn(s -> s.getName().equals("policy decision")).hasSize(1);
    }

    private Optional<SpanData> server() {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst();
    }

    private Optional<SpanData> decisionSpan() {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("policy decision")).findFirst();
    }
}
