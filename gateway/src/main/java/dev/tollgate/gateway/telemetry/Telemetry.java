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
    private static final long SHUTDOWN_SECONDS = 5;

    private final OpenTelemetry openTelemetry;
    private final OpenTelemetrySdk ownedSdk;
    private final Tracer tracer;
    private final TelemetryConfig config;
    private final ArgumentRedactor redactor;

    private Telemetry(OpenTelemetry openTelemetry, OpenTelemetrySdk ownedSdk, TelemetryConfig config) {
        this.openTelemetry = openTelemetry;
        this.ownedSdk = ownedSdk;
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
        this.config = config;
        this.redactor = new ArgumentRedactor(config.redactPaths());
    }

    /** Builds the SDK from OTEL_* settings over the configuration's defaults. */
    public static Telemetry create(TelemetryConfig config) {
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.service.name", config.serviceName(),
                        "otel.traces.exporter", config.tracesExporter(),
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                .build()
                .getOpenTelemetrySdk();
        return new Telemetry(sdk, sdk, config);
    }

    /** Wraps an SDK someone else owns (tests: an in-memory exporter). */
    public static Telemetry of(OpenTelemetry openTelemetry, TelemetryConfig config) {
        return new Telemetry(openTelemetry, null, config);
    }

    public static Telemetry disabled() {
        return new Telemetry(OpenTelemetry.noop(), null, TelemetryConfig.DEFAULT);
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

    public ArgumentRedactor redactor() {
        return redactor;
    }

    /** Flushes pending spans and stops the exporters; only for an SDK this object created. */
    @Override
    public void close() {
        if (ownedSdk != null) {
            ownedSdk.shutdown().join(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
        }
    }
}
