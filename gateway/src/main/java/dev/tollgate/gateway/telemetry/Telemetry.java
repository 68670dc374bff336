package dev.tollgate.gateway.telemetry;

import dev.tollgate.gateway.config.TelemetryConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK the gateway traces with, configured by the standard {@code OTEL_*} environment
 * variables and system properties (exporter, endpoint, sampler, resource), with {@code gateway.yaml}'s
 * telemetry section supplying the defaults. Export happens on the SDK's own threads (batch span processor),
 * never on an event loop.
 */
public final class Telemetry implements AutoCloseable {

    private static final String INSTRUMENTATION = "dev.tollgate.gateway";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Telemetry.class);
    private static final long SHUTDOWN_SECONDS = 5;

    private final OpenTelemetry openTelemetry;
    private final OpenTelemetrySdk ownedSdk;
    private final Tracer tracer;
    private final TelemetryConfig config;
    private final SpanPipelineCounts counts;
    private final boolean exporting;

    private Telemetry(OpenTelemetry openTelemetry, OpenTelemetrySdk ownedSdk, TelemetryConfig config, SpanPipelineCounts counts,
                      boolean exporting) {
        this.openTelemetry = openTelemetry;
        this.exporting = exporting;
        this.ownedSdk = ownedSdk;
        this.counts = counts;
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
        this.config = config;
    }

    /**
     * The longest span attribute value kept (longer ones are cut by the SDK). The SDK's default is no limit, and
     * attributes carry client-chosen text ({@code jsonrpc.request.id}, tool names, recorded arguments) up to the body
     * limit: a queue of 32,768 spans waiting on a slow collector would hold that much each (review AG).
     * {@code OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT} overrides it.
     */
    static final int MAX_ATTRIBUTE_CHARS = 8192;

    /**
     * The batch processor's defaults, sized for a gateway: the SDK's (a 2,048-span queue, 512-span batches, 5 s
     * delay) drop spans within milliseconds of a burst at tens of thousands of calls per second. A 32,768-span
     * queue holds about 2 s of a saturated gateway's spans while a batch is on the wire, and 2,048-span batches
     * mean a quarter of the export requests. The delay stays the SDK's 5 s: a full batch is exported as soon as
     * it is full whatever the delay, so the delay only decides how often a lightly loaded gateway exports, and
     * every export shows in the calls around it (at 1,000 calls/s, 500 ms added 0.2-0.3 ms to the p99 over 5 s,
     * 10 ms added 0.4 ms more: load-tests/REPORT.md). {@code OTEL_BSP_*} still override them.
     */
    static final Map<String, String> BATCH_DEFAULTS = Map.of(
            "otel.bsp.max.queue.size", "32768",
            "otel.bsp.max.export.batch.size", "2048",
            "otel.bsp.schedule.delay", "5000",
            "otel.attribute.value.length.limit", Integer.toString(MAX_ATTRIBUTE_CHARS));

    /** Builds the SDK from OTEL_* settings over the configuration's defaults. */
    public static Telemetry create(TelemetryConfig config) {
        return create(config, Map.of());
    }

    /** @param overrides settings that win over OTEL_* (tests: a tiny queue) */
    static Telemetry create(TelemetryConfig config, Map<String, String> overrides) {
        Map<String, String> defaults = new java.util.HashMap<>(BATCH_DEFAULTS);
        defaults.putAll(Map.of(
                // Not the SDK's parentbased_always_on: that follows the caller's traceparent, and a caller sending the
                // flag 00 had no span exported, its denied calls included, and counted in no span metric (review AN).
                // Sampling is telemetry.sample-allowed's, which sees the decision.
                "otel.traces.sampler", "always_on",
                "otel.service.name", config.serviceName(),
                "otel.traces.exporter", config.tracesExporter(),
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none"));
        SpanPipelineCounts counts = new SpanPipelineCounts();
        AllowedCallSampling sampling = new AllowedCallSampling(config.sampleAllowed());
        java.util.concurrent.atomic.AtomicBoolean exporting = new java.util.concurrent.atomic.AtomicBoolean();
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addPropertiesCustomizer(properties -> overrides)
                // Counted after sampling: "exported" is what reached the exporter, sampled-out is counted on its own.
                .addSpanExporterCustomizer((exporter, properties) -> {
                    exporting.set(true);
                    return sampling.wrap(counts.counting(exporter));
                })
                .addSamplerCustomizer((sampler, properties) -> {
                    String chosen = properties.getString("otel.traces.sampler", "always_on");
                    if (!"always_on".equals(chosen)) {
                        LOG.warn("OTEL_TRACES_SAMPLER=" + chosen + ": not every call is traced" + (chosen.startsWith("parentbased")
                                ? ", and callers choose which with their traceparent's sampled flag (a denied call included)" : "")
                                + "; telemetry.sample-allowed thins allowed calls only");
                    }
                    return sampler;
                })
                // The batch processor reports its drops to the SDK's meter provider: this reader is how they are read.
                .addMeterProviderCustomizer((builder, properties) -> builder.registerMetricReader(counts))
                .build()
                .getOpenTelemetrySdk();
        counts.sampling(sampling);
        return new Telemetry(sdk, sdk, config, counts, exporting.get());
    }

    /** Wraps an SDK someone else owns (tests: an in-memory exporter). */
    public static Telemetry of(OpenTelemetry openTelemetry, TelemetryConfig config) {
        return new Telemetry(openTelemetry, null, config, new SpanPipelineCounts(), true);
    }

    public static Telemetry disabled() {
        return new Telemetry(OpenTelemetry.noop(), null, TelemetryConfig.DEFAULT, new SpanPipelineCounts(), false);
    }

    /** Spans exported, failed to export, and dropped by the batch processor (zero unless this object built the SDK). */
    public SpanPipelineCounts counts() {
        return counts;
    }

    /**
     * Whether any span can leave the process (an exporter is configured, OTEL_* included). Without one, spans
     * still give each call a trace id (audit records, the upstream's traceparent) but their attributes are
     * never read, so the call's attributes are not built (JFR: a few percent of a plain gateway's event loops).
     * Set when the SDK configures a span exporter (OTEL_* and exporters named through SPI providers included); a span
     * processor added by an SPI tracer-provider customizer alone, with no exporter, is not seen and gets spans
     * without attributes.
     */
    public boolean exporting() {
        return exporting;
    }

    public Tracer tracer() {
        return tracer;
    }

    public TextMapPropagator propagator() {
        return openTelemetry.getPropagators().getTextMapPropagator();
    }

    public TelemetryConfig config() {
        return config;
    }

    /** Flushes pending spans and stops the exporters; only for an SDK this object created. */
    @Override
    public void close() {
        if (ownedSdk != null) {
            ownedSdk.shutdown().join(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
        }
    }
}
