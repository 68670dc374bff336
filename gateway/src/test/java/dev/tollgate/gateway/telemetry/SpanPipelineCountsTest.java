package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every span the gateway ends is accounted for: exported, in a failed export, or dropped by the SDK's batch
 * processor when its queue is full, each on /metrics. Driven through the real SDK built by autoconfigure and a
 * real OTLP/HTTP receiver on loopback.
 */
class SpanPipelineCountsTest {

    private Vertx vertx;
    private final AtomicInteger received = new AtomicInteger();
    private volatile int status = 200;
    private int port;

    @BeforeEach
    void receiver() throws Exception {
        vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> {
            received.addAndGet(OtlpTraceRequest.spans(b.getBytes()).size());
            // Slow enough that a burst overflows a tiny queue while a batch is on the wire.
            vertx.setTimer(50, id -> r.response().setStatusCode(status).putHeader("Content-Type", "application/x-protobuf").end());
        }));
        port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void spansDroppedByAFullQueueAreCountedAndEverySpanIsAccountedFor() {
        Telemetry telemetry = telemetry(Map.of("otel.bsp.max.queue.size", "4", "otel.bsp.max.export.batch.size", "4"));
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.watchSpans(telemetry.counts());
        for (int i = 0; i < 300; i++) {
            telemetry.tracer().spanBuilder("burst").startSpan().end();
        }
        telemetry.close();

        SpanPipelineCounts counts = telemetry.counts();
        assertThat(counts.dropped()).as("a 4-span queue cannot hold a 300-span burst").isPositive();
        assertThat(counts.exported() + counts.dropped()).isEqualTo(300);
        assertThat(counts.exported()).isEqualTo(received.get());
        assertThat(metrics.scrape()).contains("tollgate_spans_dropped_total " + counts.dropped() + ".0")
                .contains("tollgate_spans_exported_total " + counts.exported() + ".0");
    }

    @Test
    void spansTheCollectorRefusesAreCountedAsFailedNotExported() {
        status = 400;
        Telemetry telemetry = telemetry(Map.of());
        for (int i = 0; i < 10; i++) {
            telemetry.tracer().spanBuilder("refused").startSpan().end();
        }
        telemetry.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.counts().exportFailed() == 10);
        assertThat(telemetry.counts().exported()).isZero();
        assertThat(telemetry.counts().dropped()).isZero();
    }

    @Test
    void theGatewaysBatchDefaultsHoldABurstTheSdkDefaultsWouldDrop() {
        Telemetry telemetry = telemetry(Map.of());
        for (int i = 0; i < 20_000; i++) {
            telemetry.tracer().spanBuilder("burst").startSpan().end();
        }
        telemetry.close();

        assertThat(telemetry.counts().dropped()).as("2,048 would have been the SDK's queue").isZero();
        assertThat(telemetry.counts().exported()).isEqualTo(20_000);
    }

    /**
     * The defaults wait 5 s before exporting a partial batch (fewer exports, a shorter tail for the calls around
     * them) but must not hold back a full one: at saturation 2,048 spans fill in about 0.1 s, and a queue that
     * waited out the delay would overflow.
     */
    @Test
    void theGatewaysBatchDefaultsExportAFullBatchWithoutWaitingForTheDelay() {
        Telemetry telemetry = telemetry(Map.of());
        try {
            for (int i = 0; i < 2_048; i++) {
                telemetry.tracer().spanBuilder("full batch").startSpan().end();
            }

            await().atMost(Duration.ofSeconds(4)).until(() -> received.get() >= 2_048);
        } finally {
            telemetry.close();
        }
        assertThat(telemetry.counts().exported()).isEqualTo(2_048);
    }

    private Telemetry telemetry(Map<String, String> batch) {
        Map<String, String> settings = new java.util.HashMap<>(batch);
        settings.put("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + port);
        settings.put("otel.exporter.otlp.protocol", "http/protobuf");
        return Telemetry.create(new TelemetryConfig("tollgate-test", "otlp", false, List.of()), settings);
    }
}
