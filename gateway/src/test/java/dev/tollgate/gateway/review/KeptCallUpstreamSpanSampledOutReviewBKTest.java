package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BK: with {@code telemetry.upstream-spans: true} and {@code sample-allowed} below 1, the SERVER span of a call
 * policy audited (action: audit, "always exported") is exported, but its CLIENT span (the upstream request: which
 * instance, server.address / server.port, how long) is sampled out like an allowed call's: AllowedCallSampling.keep
 * treats a span with no decision as "kept with its trace below" but then decides it by the trace id's share alone,
 * not by whether its trace's SERVER span was kept. The exported trace of the audited call has no upstream leg (with
 * upstream-spans the SERVER span does not carry the address itself), contrary to AllowedCallSampling's own promise
 * ("every span of a kept trace is kept").
 */
class KeptCallUpstreamSpanSampledOutReviewBKTest {

    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: watch-export\n    condition: {tool: export}\n    action: audit\n";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private InMemorySpanExporter exported;
    private InMemorySpanExporter all;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}"));
        exported = InMemorySpanExporter.create();
        all = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(new AllowedCallSampling(0.0).wrap(exported)))
                        .addSpanProcessor(SimpleSpanProcessor.create(all)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        Files.writeString(dir.resolve("p.yaml"), POLICY);
        TelemetryConfig upstreamSpans = new TelemetryConfig("tollgate", "none", false, List.of(), true, Duration.ofSeconds(1));
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", null),
                new GatewayServices(new GatewayMetrics(), Telemetry.of(sdk, upstreamSpans), null));
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
    void theUpstreamSpanOfAnAuditedCallIsExportedWithIt() throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"export\",\"arguments\":{}}}";
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"),
                Buffer.buffer(body));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        SpanData server = Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> all.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElse(null), s -> s != null);
        SpanData client = all.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        assertThat(client.getTraceId()).isEqualTo(server.getTraceId());
        assertThat(client.getAttributes().get(CallAttributes.SERVER_ADDRESS)).isNotNull();
        assertThat(server.getAttributes().get(CallAttributes.SERVER_ADDRESS)).as("with upstream-spans the address is on the CLIENT span only").isNull();
        assertThat(exported.getFinishedSpanItems()).as("the audited call's SERVER span is exported (control)")
                .anyMatch(s -> s.getSpanId().equals(server.getSpanId()));
        assertThat(exported.getFinishedSpanItems()).as("the audited call's upstream CLIENT span, in the same (kept) trace")
                .anyMatch(s -> s.getSpanId().equals(client.getSpanId()));
    }
}
