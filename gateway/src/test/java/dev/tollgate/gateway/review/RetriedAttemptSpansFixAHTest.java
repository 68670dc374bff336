package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.telemetry.AllowedCallSampling;
import dev.tollgate.gateway.telemetry.CallAttributes;
import dev.tollgate.gateway.telemetry.Telemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
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
 * Fix AH (review BN, finding 2): with {@code upstream-spans: true}, each attempt of a call tried again on another instance
 * has its CLIENT span: the failed one ended with its error and the instance it went to, and, at {@code sample-allowed: 0},
 * the call (SERVER span) and both CLIENT spans are exported, the trace whole.
 */
class RetriedAttemptSpansFixAHTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<Integer> ports = new CopyOnWriteArrayList<>();
    private final List<Integer> hit = new CopyOnWriteArrayList<>();
    private final AtomicBoolean dropped = new AtomicBoolean();
    private InMemorySpanExporter exported;
    private InMemorySpanExporter all;
    private RunningGateway gateway;
    private TestHttp http;

    private HttpServer instance() throws Exception {
        HttpServer[] self = new HttpServer[1];
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            hit.add(self[0].actualPort());
            if (dropped.compareAndSet(false, true)) {
                request.connection().close();
                return;
            }
            request.body().onSuccess(body -> request.response().putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}"));
        });
        self[0] = server;
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        servers.add(server);
        ports.add(server.actualPort());
        return server;
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        HttpServer a = instance();
        HttpServer b = instance();
        exported = InMemorySpanExporter.create();
        all = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(new AllowedCallSampling(0.0).wrap(exported)))
                        .addSpanProcessor(SimpleSpanProcessor.create(all)).build())
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
    void theFailedAttemptsSpanEndsWithItsErrorAndTheRetriedCallIsKeptWhole() throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(hit).hasSize(2);

        SpanData server = Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> all.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElse(null), s -> s != null);
        assertThat(server.getAttributes().get(CallAttributes.UPSTREAM_FAILED_ATTEMPTS)).isEqualTo(1L);
        assertThat(server.getAttributes().get(CallAttributes.ERROR_TYPE)).as("the call itself was answered").isNull();
        // In the order they ended: the failed attempt's first, on the instance that dropped it, before the next started.
        List<SpanData> clients = all.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
        assertThat(clients).hasSize(2);
        SpanData failed = clients.get(0);
        SpanData answered = clients.get(1);
        // The dropped connection's own failure (as the call would have failed with it), not a span ended only by the next.
        assertThat(failed.getAttributes().get(CallAttributes.ERROR_TYPE)).isEqualTo(dev.tollgate.gateway.errors.RejectReason.UPSTREAM_ERROR.code());
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.getAttributes().get(CallAttributes.SERVER_PORT)).isEqualTo((long) hit.get(0));
        assertThat(failed.getEndEpochNanos()).isLessThanOrEqualTo(answered.getStartEpochNanos());
        assertThat(answered.getAttributes().get(CallAttributes.ERROR_TYPE)).isNull();
        assertThat(answered.getAttributes().get(CallAttributes.SERVER_PORT)).isEqualTo((long) hit.get(1));
        // Kept whole at sample-allowed 0.
        assertThat(exported.getFinishedSpanItems()).extracting(SpanData::getSpanId)
                .contains(server.getSpanId(), failed.getSpanId(), answered.getSpanId());
    }
}
