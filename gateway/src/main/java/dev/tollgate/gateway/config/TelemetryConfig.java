package dev.tollgate.gateway.config;

import java.util.List;

/**
 * Tracing settings from {@code gateway.yaml}. The standard {@code OTEL_*} environment variables (exporter,
 * endpoint, sampler, resource) take precedence over these, which are only defaults.
 *
 * @param tracesExporter  default span exporter when {@code OTEL_TRACES_EXPORTER} is unset: none, otlp, logging
 * @param recordArguments whether tool arguments go on spans (off by default: they may hold secrets)
 * @param redactPaths     JSON pointers into the arguments replaced by "[REDACTED]" wherever arguments are recorded
 */
public record TelemetryConfig(String serviceName, String tracesExporter, boolean recordArguments, List<String> redactPaths) {

    public static final TelemetryConfig DEFAULT = new TelemetryConfig("tollgate", "none", false, List.of());

    public TelemetryConfig {
        redactPaths = List.copyOf(redactPaths);
    }
}
