package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.telemetry.AllowedCallSampling;
import dev.tollgate.gateway.telemetry.Telemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AN (a, e): in a JSON-RPC batch (MCP 2025-03-26) an audited call (action: audit, "what an operator looks for")
 * disappears behind an allowed call the same caller puts beside it:
 * <ul>
 *   <li>the span shows the FIRST decision (TraceStage.putDecision), so [allowed, audited] is a span with action
 *       {@code allow}, and {@code telemetry.sample-allowed} (AllowedCallSampling: "denied, audited ... calls are always
 *       exported") samples it out with the allowed calls;</li>
 *   <li>tollgate_requests_total's decision is the LAST decision (CompletionRecorder.decisionLabel overwrites the label on
 *       each one), so [audited, allowed] counts as {@code allowed}: no audited call counted, and the span (action audit)
 *       and the metric (allowed) of the same request disagree.</li>
 * </ul>
 * Controls: the audited call alone is exported at sample-allowed 0 and counted as audited; an allowed call alone is
 * sampled out.
 */
class BatchHidesAuditedCallReviewANTest {

    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: watch-export\n    condition: {tool: export}\n    action: audit\n";
    private static final String EXPORT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"export\",\"arguments\":{}}}";
    private static final String ECHO = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private InMemorySpanExporter spans;
    /** Every span, before sampling: shows what the sampler read. */
    private InMemorySpanExporter all;
    private GatewayMetrics metrics;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString().trim();
            String answer = body.startsWith("[")
                    ? "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}},{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}]"
                    : "{\"jsonrpc\":\"2.0\",\"id\":" + (body.contains("\"export\"") ? 1 : 2) + ",\"result\":{}}";
            r.response().putHeader("Content-Type", "application/json").end(answer);
        });
        spans = InMemorySpanExporter.create();
        all = InMemorySpanExporter.create();
        // The shipped sampling wrapper at sample-allowed: 0 (only denied, audited, approval and failed calls exported).
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(new AllowedCallSampling(0.0).wrap(spans)))
                        .addSpanProcessor(SimpleSpanProcessor.create(all)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        metrics = new GatewayMetrics();
        Files.writeString(dir.resolve("p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", null),
                new GatewayServices(metrics, Telemetry.of(sdk, new TelemetryConfig("tollgate", "none", false, List.of())), null));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private void post(String body) throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"),
                Buffer.buffer(body));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    }

    private long serverSpans() {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).count();
    }

    /** The SERVER span ends when the call completes, which may be just after the client has read the answer. */
    private void awaitServerSpans(InMemorySpanExporter exporter, int count) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
                exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).count() >= count);
    }

    @Test
    void control_anAuditedCallAloneIsExportedAndCountedAnAllowedOneSampledOut() throws Exception {
        post(ECHO);
        awaitServerSpans(all, 1);
        assertThat(serverSpans()).as("an allowed call at sample-allowed 0").isZero();
        post(EXPORT);
        awaitServerSpans(all, 2);
        assertThat(serverSpans()).as("an audited call is always exported").isEqualTo(1);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> metrics.scrape().contains("decision=\"audited\""));
        assertThat(metrics.scrape()).contains("tollgate_requests_total{decision=\"audited\",method=\"tools/call\",route=\"upstream\"} 1.0");
    }

    @Test
    void anAuditedCallBehindAnAllowedOneInABatchIsStillExported() throws Exception {
        post("[" + ECHO + "," + EXPORT + "]");
        assertThat(upstream.received()).hasSize(1);
        awaitServerSpans(all, 1);
        var span = all.getFinishedSpanItems().stream().filter(x -> x.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(span.getName()).isEqualTo("batch");
        System.out.println("review AN: the batch's span says action=" + span.getAttributes().get(
                dev.tollgate.gateway.telemetry.CallAttributes.POLICY_ACTION) + " rule=" + span.getAttributes().get(
                dev.tollgate.gateway.telemetry.CallAttributes.POLICY_RULE));
        assertThat(serverSpans()).as("the span of a batch holding an audited call (action: audit), at sample-allowed 0").isEqualTo(1);
    }

    @Test
    void aBatchHoldingAnAuditedCallIsNotCountedAsAllowed() throws Exception {
        post("[" + EXPORT + "," + ECHO + "]");
        // The request is counted when it completes, which may be just after the client has read the answer.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> metrics.scrape().lines().anyMatch(l -> l.startsWith("tollgate_requests_total{")));
        List<String> counted = metrics.scrape().lines().filter(l -> l.startsWith("tollgate_requests_total{")).toList();
        assertThat(counted)
                .as("tollgate_requests_total for a batch [audited, allowed]")
                .anyMatch(l -> l.contains("decision=\"audited\",method=\"batch\"") && l.endsWith(" 1.0"));
    }
}
