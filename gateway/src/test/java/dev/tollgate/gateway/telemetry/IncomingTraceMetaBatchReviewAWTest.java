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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AW (low): the fix of review AV finding 4 (38af74df, TraceStage.withoutCallersTraceInMeta) strips the caller's
 * {@code params._meta.traceparent}/{@code tracestate} under {@code incoming-trace: link} only for a single request
 * ({@code exchange.payload() instanceof JsonRpcPayload.Single}). A JSON-RPC batch (accepted and forwarded as one body,
 * MCP 2025-03-26) carries each request's {@code _meta} to the upstream as the caller wrote it: an upstream following
 * SEP-414 continues the trace id the caller chose and receives its tracestate, which {@code link} says never happens.
 */
class IncomingTraceMetaBatchReviewAWTest {

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
        spans = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        Files.writeString(dir.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        TelemetryConfig link = new TelemetryConfig("tollgate", "none", false, List.of(), false, TelemetryConfig.DEFAULT_DECISION_SPAN_AFTER,
                1.0, true, true);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", "telemetry: {incoming-trace: link}\n"),
                new GatewayServices(new GatewayMetrics(), Telemetry.of(sdk, link), null));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void theCallersTraceContextInABatchsParamsMetaIsNotPassedUpstream() throws Exception {
        String traceparent = "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01";
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("[{\"jsonrpc\":\"2.0\",\"id\":7,"
                + "\"result\":{\"content\":[]}},{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{\"content\":[]}}]"));
        String meta = "\"_meta\":{\"traceparent\":\"" + traceparent + "\",\"tracestate\":\"caller=chosen\"}";
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp")
                        .putHeader("MCP-Protocol-Version", "2025-03-26")
                        .putHeader("traceparent", traceparent).putHeader("tracestate", "caller=chosen"),
                Buffer.buffer("[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{},"
                        + meta + "}},{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"fetch\",\"arguments\":{\"n\":0.1000000000000000055511151231257827,\"big\":123456789012345678901234567890},"
                        + meta + "}}]"));
        assertThat(reply.status()).as("control: %s", reply.body()).isEqualTo(200);
        SpanData server = await().atMost(Duration.ofSeconds(5)).until(
                () -> spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst(), o -> o.isPresent()).get();

        RecordingUpstream.Received forwarded = upstream.received().get(0);
        // Control: the headers carry the gateway's own trace only (what the change did).
        assertThat(server.getTraceId()).isNotEqualTo(TRACE_ID);
        assertThat(forwarded.headers().get("traceparent")).startsWith("00-" + server.getTraceId());
        assertThat(forwarded.headers().contains("tracestate")).isFalse();

        String body = forwarded.body().toString();
        assertThat(body)
                .as("incoming-trace: link, yet the upstream got the caller's trace id and tracestate in a batch's params._meta (SEP-414's carrier): " + body)
                .doesNotContain(TRACE_ID)
                .doesNotContain("caller=chosen");
        // The batch the gateway writes keeps the arguments as decided, numbers as written.
        assertThat(body).contains("\"n\":0.1000000000000000055511151231257827").contains("\"big\":123456789012345678901234567890");
    }
}
