package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
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
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BN (the traces a kept call exports, {@code telemetry.upstream-spans: true}): "a CLIENT span per upstream request".
 * A call tried again on the route's other instance (the first instance dropped the connection: a tools/list is
 * idempotent, so UpstreamCall.attemptFailed tries the next instance) sends two upstream requests, but only the second's
 * CLIENT span is ever exported. CallTrace.startUpstream, called again by UpstreamCall.send for the retry, overwrites the
 * {@code client} field with a new span without ending the first one: the failed attempt's span (the one that shows which
 * instance failed) is never ended nor exported, and the traceparent the first instance received names a span that does
 * not exist in the trace. Should be: each attempt's CLIENT span ends (with its error) when the attempt fails.
 */
class RetriedAttemptClientSpanLostReviewBNTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<String> traceparents = new CopyOnWriteArrayList<>();
    private final AtomicBoolean dropped = new AtomicBoolean();
    private InMemorySpanExporter spans;
    private RunningGateway gateway;
    private TestHttp http;

    /** An instance that drops the connection of the first request any instance sees, and answers every other one. */
    private HttpServer instance() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            traceparents.add(String.valueOf(request.getHeader("traceparent")));
            if (dropped.compareAndSet(false, true)) {
                request.connection().close();
                return;
            }
            request.body().onSuccess(body -> request.response().putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}"));
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        servers.add(server);
        return server;
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        HttpServer a = instance();
        HttpServer b = instance();
        spans = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        Files.writeString(dir.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: upstream
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstreams: [{url: "http://127.0.0.1:%d/mcp"}, {url: "http://127.0.0.1:%d/mcp"}]
                    balance: round-robin
                """.formatted(dir, a.actualPort(), b.actualPort());
        gateway = RunningGateway.start(vertx, yaml, new GatewayServices(new GatewayMetrics(), Telemetry.of(sdk,
                new TelemetryConfig("tollgate", "none", false, List.of(), true, Duration.ofSeconds(1), 1.0, true)), null));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        for (HttpServer server : servers) {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void eachUpstreamAttemptOfARetriedCallHasItsClientSpanExported() throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}"));
        // Control: the first instance dropped the call, the other answered it.
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("\"tools\"");
        assertThat(traceparents).as("upstream requests (one per attempt)").hasSize(2);

        // The SERVER span ends after its CLIENT spans (CallTrace.end): once it is exported, every ended CLIENT span is too.
        SpanData server = Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElse(null), s -> s != null);
        List<SpanData> clients = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(server.getTraceId())).toList();
        List<String> exportedIds = clients.stream().map(SpanData::getSpanId).toList();
        assertThat(clients).as("a CLIENT span per upstream request; the instances got traceparents %s, exported CLIENT spans %s",
                traceparents, exportedIds).hasSize(2);
        for (String traceparent : traceparents) {
            assertThat(exportedIds).as("the span named by the traceparent an instance received (%s)", traceparent)
                    .contains(traceparent.split("-")[2]);
        }
    }
}
