package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.telemetry.AllowedCallSampling;
import dev.tollgate.gateway.telemetry.CallAttributes;
import dev.tollgate.gateway.telemetry.Telemetry;
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
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix AH (review BN, finding 1): at {@code sample-allowed: 0} a call's span is kept when a request its upstream sent was
 * denied by policy (in one element of a batch too) or withheld because its record could not be kept
 * ({@code when-full: reject}); a single call whose embedded request was denied ends with error type {@code policy_denied}.
 */
class ServerRequestSpansKeptFixAHTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-elicitation
                condition: {all: [{direction: server_to_client}, {method: elicitation/create}]}
                action: deny
                message: elicitation is off
            """;
    private static final String INPUT_REQUIRED = "{\"resultType\":\"input_required\",\"requestState\":\"s1\",\"inputRequests\":"
            + "{\"confirm\":{\"method\":\"elicitation/create\",\"params\":{\"mode\":\"form\",\"message\":\"Go on?\","
            + "\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private InMemorySpanExporter exported;
    private InMemorySpanExporter all;
    private RunningGateway gateway;
    private AuditLog audit;
    private TestHttp http;
    private final CompletableFuture<Void> callArrived = new CompletableFuture<>();
    private final CompletableFuture<Void> queueFilled = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (request.method() == HttpMethod.GET) {
                // The session's GET stream: an elicitation policy denies, then the stream ends.
                request.response().putHeader("Content-Type", "text/event-stream").end("id: 1\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"e1\","
                        + "\"method\":\"elicitation/create\",\"params\":{\"mode\":\"form\",\"message\":\"Go on?\","
                        + "\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}\n\n");
            } else if (request.method() != HttpMethod.POST) {
                request.response().setStatusCode(405).end();
            } else if (body.startsWith("[")) {
                // A batch: the first call's answer carries an elicitation, the second is answered plainly.
                request.response().putHeader("Content-Type", "application/json").end("[{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":"
                        + INPUT_REQUIRED + "},{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"content\":[]}}]");
            } else if (body.contains("\"ask_first\"")) {
                request.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":" + INPUT_REQUIRED + "}");
            } else if (body.contains("\"fill\"")) {
                request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[]}}");
            } else if (body.contains("\"summarize\"")) {
                // A sampling request (allowed by policy) on the call's stream, once the audit queue is full.
                request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                callArrived.complete(null);
                queueFilled.thenRun(() -> vertx.runOnContext(v -> {
                    request.response().write("id: 1\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"sampling/createMessage\",\"params\":"
                            + "{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"summarize\"}}],\"maxTokens\":10}}\n\n");
                    long timer = vertx.setPeriodic(20, t -> {
                        if (upstream.received().stream().anyMatch(r -> r.body().toString().contains("\"id\":\"s1\"")
                                && r.body().toString().contains("\"error\""))) {
                            vertx.cancelTimer(t);
                            request.response().end("id: 2\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
                                    + "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}\n\n");
                        }
                    });
                    request.connection().closeHandler(c -> vertx.cancelTimer(timer));
                }));
            } else {
                request.response().setStatusCode(202).end(); // the gateway's answer to the server's request
            }
        });
        exported = InMemorySpanExporter.create();
        all = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(new AllowedCallSampling(0.0).wrap(exported)))
                        .addSpanProcessor(SimpleSpanProcessor.create(all)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        this.sdk = sdk;
        Files.writeString(dir.resolve("p.yaml"), POLICY);
        http = new TestHttp(vertx);
    }

    private OpenTelemetrySdk sdk;

    /** The gateway, its audit queue of {@code capacity} records (when-full: reject). */
    private void gateway(int capacity) throws Exception {
        String yaml = RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p",
                "audit: {directory: " + dir.resolve("audit") + ", when-full: reject, queue-capacity: " + capacity + "}\n"
                        + dev.tollgate.gateway.support.TestSessions.YAML);
        audit = AuditLog.open(dev.tollgate.gateway.config.ConfigLoader.parse(yaml, "test.yaml", java.util.Map.of()).audit());
        gateway = RunningGateway.start(vertx, yaml,
                new GatewayServices(new GatewayMetrics(), Telemetry.of(sdk, new TelemetryConfig("tollgate", "none", false, List.of())), audit));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private SpanData serverSpan(String tool) {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> all.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER && tool.equals(s.getAttributes().get(CallAttributes.GEN_AI_TOOL_NAME)))
                .findFirst().orElse(null), s -> s != null);
    }

    private boolean exported(SpanData span) {
        return exported.getFinishedSpanItems().stream().anyMatch(s -> s.getSpanId().equals(span.getSpanId()));
    }

    @Test
    void aSingleCallWhoseEmbeddedRequestWasDeniedEndsPolicyDeniedAndIsKept() throws Exception {
        gateway(100);
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"ask_first\",\"arguments\":{}}}"));
        assertThat(reply.body().toString()).doesNotContain("elicitation/create").contains("elicitation is off");

        SpanData span = serverSpan("ask_first");
        assertThat(span.getAttributes().get(CallAttributes.ERROR_TYPE)).isEqualTo("policy_denied");
        assertThat(span.getAttributes().get(CallAttributes.SERVER_REQUEST_DENIED)).isEqualTo(1L);
        assertThat(exported(span)).isTrue();
        // The call's own record says what its client got.
        JsonNode call = AuditLines.awaitFirst(dir.resolve("audit"), r -> "tools/call".equals(r.path("method").asText()));
        assertThat(call).isNotNull();
        assertThat(call.toString()).contains("policy_denied");
    }

    @Test
    void aBatchWhoseElementsEmbeddedRequestWasDeniedIsKeptWithoutAnErrorOfItsOwn() throws Exception {
        gateway(100);
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp"), Buffer.buffer("["
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"ask_first\",\"arguments\":{}}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"other\",\"arguments\":{}}}]"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        // Control: the first element got the denial, the other its answer.
        assertThat(reply.body().toString()).doesNotContain("elicitation/create").contains("elicitation is off").contains("\"id\":3");

        SpanData span = Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> all.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElse(null), s -> s != null);
        assertThat(span.getAttributes().get(CallAttributes.SERVER_REQUEST_DENIED)).isEqualTo(1L);
        assertThat(span.getAttributes().get(CallAttributes.ERROR_TYPE)).as("the batch's other call was answered").isNull();
        assertThat(exported(span)).isTrue();
    }

    @Test
    void theGetStreamOnWhichAServerRequestWasDeniedIsKept() throws Exception {
        gateway(100);
        TestHttp.Reply reply = http.send(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                .setPort(gateway.port()).setURI("/mcp").putHeader("Accept", "text/event-stream")
                .putHeader("Mcp-Session-Id", dev.tollgate.gateway.support.TestSessions.sealed("upstream", "session-abc"))
                .putHeader("MCP-Protocol-Version", "2025-11-25"), null);
        // Control: the stream was opened and the elicitation not delivered; the upstream got the policy's error.
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).doesNotContain("elicitation/create");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> upstream.received().stream()
                .anyMatch(r -> r.body().toString().contains("\"e1\"") && r.body().toString().contains("elicitation is off")));

        SpanData span = Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> all.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElse(null), s -> s != null);
        assertThat(span.getAttributes().get(CallAttributes.SERVER_REQUEST_DENIED)).isEqualTo(1L);
        assertThat(span.getAttributes().get(CallAttributes.ERROR_TYPE)).as("the stream itself was relayed").isNull();
        assertThat(exported(span)).isTrue();
    }

    /** when-full: reject and a full queue: the sampling request is withheld, its record lost; the call's span is kept. */
    @Test
    void aCallWhoseServerRequestWasWithheldUnrecordedIsKept() throws Exception {
        gateway(1);
        TestHttp.Reply reply;
        try (AutoCloseable held = dev.tollgate.gateway.audit.AuditWriterHold.hold(audit)) {
            CompletableFuture<TestHttp.Reply> pending = CompletableFuture.supplyAsync(() -> {
                try {
                    return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"),
                            Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"summarize\",\"arguments\":{}}}"));
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            callArrived.get(10, TimeUnit.SECONDS);
            TestHttp.Reply filler = http.send(TestHttp.mcpPost(gateway.port(), "/mcp"),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"fill\",\"arguments\":{}}}"));
            assertThat(filler.status()).isEqualTo(200);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> audit.isFull());
            queueFilled.complete(null);
            reply = pending.get(10, TimeUnit.SECONDS);
        }
        // Control: the call was answered, the sampling request withheld (the upstream got audit_unavailable).
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("\"ok\"").doesNotContain("sampling/createMessage");
        assertThat(upstream.received().stream().anyMatch(r -> r.body().toString().contains("\"reason\":\"audit_unavailable\""))).isTrue();

        SpanData span = serverSpan("summarize");
        assertThat(span.getAttributes().get(CallAttributes.SERVER_REQUEST_UNRECORDED)).isEqualTo(1L);
        assertThat(span.getAttributes().get(CallAttributes.SERVER_REQUEST_DENIED)).isNull();
        assertThat(span.getAttributes().get(CallAttributes.ERROR_TYPE)).as("the call itself was answered").isNull();
        assertThat(exported(span)).as("span %s", span.getAttributes()).isTrue();
    }
}
