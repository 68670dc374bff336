package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayServices;
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
 * Review BN (fix AD's keep rules): with {@code telemetry.sample-allowed} below 1, "every span of a call that was denied
 * ... is exported". A server-to-client request (sampling/createMessage) the upstream sends on a tools/call's SSE stream
 * and that policy DENIES is answered to the upstream by the gateway and gets an audit record of its own, with
 * {@code error: policy_denied} and the call's trace id; but nothing of that denial reaches the call's span
 * (McpResponseFilter's server-request branch calls only the DecisionListener, i.e. CompletionRecorder.serverRequestDecided:
 * metrics and audit, no span attribute, no error type). The SERVER span of the tools/call reads as an allowed call that
 * ended well, and AllowedCallSampling samples it out: the audit record names a trace that was never exported.
 * Control: the tools/call itself was allowed and answered; the sampling request was not delivered.
 */
class SampledOutServerRequestDenialReviewBNTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-sampling
                condition: {all: [{direction: server_to_client}, {method: sampling/createMessage}]}
                action: deny
                message: sampling is off
              - name: no-elicitation
                condition: {all: [{direction: server_to_client}, {method: elicitation/create}]}
                action: deny
                message: elicitation is off
            """;

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
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (request.method() == io.vertx.core.http.HttpMethod.POST && body.contains("\"ask_first\"")) {
                // The 2026-07-28 form: the request the server waits on travels inside the call's result.
                request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":"
                        + "{\"resultType\":\"input_required\",\"requestState\":\"s1\",\"inputRequests\":{\"confirm\":"
                        + "{\"method\":\"elicitation/create\",\"params\":{\"mode\":\"form\",\"message\":\"Go on?\","
                        + "\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}}}}");
                return;
            }
            if (request.method() != io.vertx.core.http.HttpMethod.POST || !body.contains("\"tools/call\"")) {
                request.response().setStatusCode(202).end(); // the gateway's answer to the server's request
                return;
            }
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            request.response().write("id: 1\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"sampling/createMessage\",\"params\":"
                    + "{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"summarize\"}}],\"maxTokens\":10}}\n\n");
            // The call's answer only once the gateway has answered the server's request (it was decided).
            long timer = vertx.setPeriodic(20, t -> {
                if (upstream.received().stream().anyMatch(r -> r.body().toString().contains("\"id\":\"s1\"")
                        && r.body().toString().contains("\"error\""))) {
                    vertx.cancelTimer(t);
                    request.response().end("id: 2\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
                            + "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}\n\n");
                }
            });
            request.connection().closeHandler(v -> vertx.cancelTimer(timer));
        });
        exported = InMemorySpanExporter.create();
        all = InMemorySpanExporter.create();
        // The shipped sampling wrapper at sample-allowed: 0: only spans alwaysKept are exported.
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(new AllowedCallSampling(0.0).wrap(exported)))
                        .addSpanProcessor(SimpleSpanProcessor.create(all)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        Files.writeString(dir.resolve("p.yaml"), POLICY);
        String yaml = RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", "audit: {directory: " + dir.resolve("audit") + "}");
        dev.tollgate.gateway.audit.AuditLog audit = dev.tollgate.gateway.audit.AuditLog.open(
                dev.tollgate.gateway.config.ConfigLoader.parse(yaml, "test.yaml", java.util.Map.of()).audit());
        gateway = RunningGateway.start(vertx, yaml,
                new GatewayServices(new GatewayMetrics(), Telemetry.of(sdk, new TelemetryConfig("tollgate", "none", false, List.of())), audit));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
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
    void theSpanOfACallWhoseServerRequestPolicyDeniedIsExported() throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"summarize\",\"arguments\":{}}}"));
        // Control: the call ran and was answered; the server's sampling request was denied, not delivered.
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("\"ok\"").doesNotContain("sampling/createMessage");
        JsonNode denial = AuditLines.awaitFirst(dir.resolve("audit"), r -> "server_to_client".equals(r.path("direction").asText()));
        assertThat(denial).as("the denied sampling request's audit record").isNotNull();
        assertThat(denial.toString()).contains("policy_denied");

        SpanData span = serverSpan("summarize");
        assertThat(denial.toString()).as("the record names the call's trace").contains(span.getTraceId());
        assertThat(exported(span))
                .as("the span of a call whose server-to-client request policy denied, at sample-allowed 0 (span: %s; record: %s)",
                        span.getAttributes(), denial)
                .isTrue();
    }

    /**
     * The same for the 2026-07-28 form: a request carried inside the call's result (input_required) that policy denies
     * turns the call's answer into the policy's error (McpResponseFilter.decidedEmbeddedRequests), with no error type on
     * the exchange and nothing on the span: the client got a denial, the span reads allowed and ended well.
     */
    @Test
    void theSpanOfACallWhoseEmbeddedRequestPolicyDeniedIsExported() throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"ask_first\",\"arguments\":{}}}"));
        // Control: the client got the policy's denial in place of the answer carrying the elicitation.
        assertThat(reply.body().toString()).doesNotContain("elicitation/create").contains("elicitation is off");
        JsonNode denial = AuditLines.awaitFirst(dir.resolve("audit"), r -> "elicitation/create".equals(r.path("method").asText()));
        assertThat(denial).as("the denied elicitation's audit record").isNotNull();

        SpanData span = serverSpan("ask_first");
        assertThat(exported(span))
                .as("the span of a call whose embedded server request policy denied (the client got the denial), at sample-allowed 0 "
                        + "(span: %s; answer: %s)", span.getAttributes(), reply.body())
                .isTrue();
    }
}
