package dev.tollgate.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * Tracing settings from {@code gateway.yaml}. The standard {@code OTEL_*} environment variables (exporter,
 * endpoint, sampler, resource) take precedence over these, which are only defaults.
 *
 * @param tracesExporter  default span exporter when {@code OTEL_TRACES_EXPORTER} is unset: none, otlp, logging
 * @param recordArguments whether tool arguments go on spans (off by default: they may hold secrets)
 * @param redactPaths     JSON pointers into the arguments replaced by "[REDACTED]" wherever arguments are recorded
 * @param upstreamSpans   a CLIENT span per upstream request besides the SERVER span (off: one span per call, the
 *                        upstream leg recorded on the SERVER span, whose context is propagated upstream)
 * @param decisionSpanAfter a call still open this long (or turned into a stream) exports its decision at once on a
 *                        short "policy decision" span, so a call whose upstream never answers is not invisible until
 *                        it times out; calls that end sooner export their one span only
 * @param sampleAllowed   the share of allowed, successful calls whose spans are exported (1: all); denied, audited,
 *                        approval and failed calls are always exported
 * @param accessLog       a line per call on the {@code tollgate.access} logger (route, method, tool, caller, decision,
 *                        status, times, trace id), as web servers write; on unless turned off
 * @param linkIncomingTrace {@code incoming-trace: link}: each call starts a trace of its own, linked to the caller's
 *                        span, instead of continuing the caller's traceparent (the caller then chooses neither the trace
 *                        id its audit record and upstream request carry nor the tracestate passed on)
 */
public record TelemetryConfig(String serviceName, String tracesExporter, boolean recordArguments, List<String> redactPaths,
                              boolean upstreamSpans, Duration decisionSpanAfter, double sampleAllowed, boolean accessLog,
                              boolean linkIncomingTrace) {

    public static final Duration DEFAULT_DECISION_SPAN_AFTER = Duration.ofSeconds(1);
    public static final TelemetryConfig DEFAULT = new TelemetryConfig("tollgate", "none", false, List.of());

    public TelemetryConfig {
        redactPaths = List.copyOf(redactPaths);
        decisionSpanAfter = decisionSpanAfter == null ? DEFAULT_DECISION_SPAN_AFTER : decisionSpanAfter;
    }

    /** Continuing the caller's trace, as W3C trace context has it. */
    public TelemetryConfig(String serviceName, String tracesExporter, boolean recordArguments, List<String> redactPaths,
                           boolean upstreamSpans, Duration decisionSpanAfter, double sampleAllowed, boolean accessLog) {
        this(serviceName, tracesExporter, recordArguments, redactPaths, upstreamSpans, decisionSpanAfter, sampleAllowed, accessLog, false);
    }

    /** The defaults for span shape: one span per call, a decision span for calls open longer than a second. */
    public TelemetryConfig(String serviceName, String tracesExporter, boolean recordArguments, List<String> redactPaths) {
        this(serviceName, tracesExporter, recordArguments, redactPaths, false, DEFAULT_DECISION_SPAN_AFTER, 1.0, true);
    }

    public TelemetryConfig(String serviceName, String tracesExporter, boolean recordArguments, List<String> redactPaths, boolean upstreamSpans,
                           Duration decisionSpanAfter) {
        this(serviceName, tracesExporter, recordArguments, redactPaths, upstreamSpans, decisionSpanAfter, 1.0, true);
    }
}
