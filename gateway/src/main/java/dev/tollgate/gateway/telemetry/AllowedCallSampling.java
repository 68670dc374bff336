package dev.tollgate.gateway.telemetry;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code telemetry.sample-allowed}: exports only this share of the spans of calls that were allowed and ended well,
 * and every span of a call that was denied, audited, held for approval, or failed, whose result a result rule withheld,
 * redacted or audited, whose upstream sent a request policy denied (or that was withheld unrecorded), that an upstream
 * instance failed before it was tried on another, or that met unreviewed tool definitions ({@link #alwaysKept}). The decision is on the span from
 * its start and the outcome at its end, so the choice is made when the span is exported, by trace id (the same
 * calls are kept by every replica; a kept call's upstream CLIENT span carries {@link CallAttributes#SAMPLING_KEEP}, so every
 * span of a kept trace is kept), off the event loop on the exporter's
 * thread. What the export saves is its share of serialization and network. Spans left out are counted
 * ({@code tollgate_spans_sampled_out_total}), so exported + sampled out still equals the calls.
 */
public final class AllowedCallSampling {

    private final double ratio;
    private final long threshold;
    private final AtomicLong sampledOut = new AtomicLong();

    /** @param ratio the share of allowed, successful calls whose spans are exported, in [0, 1] */
    public AllowedCallSampling(double ratio) {
        if (ratio < 0 || ratio > 1) {
            throw new IllegalArgumentException("sample-allowed is a share between 0 and 1");
        }
        this.ratio = ratio;
        // As OpenTelemetry's TraceIdRatioBased: compare the trace id's last 8 bytes (as a non-negative long) to a bound.
        this.threshold = (long) (ratio * Long.MAX_VALUE);
    }

    public long sampledOut() {
        return sampledOut.get();
    }

    public SpanExporter wrap(SpanExporter exporter) {
        if (ratio >= 1.0) {
            return exporter;
        }
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                List<SpanData> kept = new ArrayList<>(spans.size());
                for (SpanData span : spans) {
                    if (keep(span)) {
                        kept.add(span);
                    } else {
                        sampledOut.incrementAndGet();
                    }
                }
                return kept.isEmpty() ? CompletableResultCode.ofSuccess() : exporter.export(kept);
            }

            @Override
            public CompletableResultCode flush() {
                return exporter.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return exporter.shutdown();
            }

            @Override
            public String toString() {
                return "AllowedCallSampling{" + ratio + ", " + exporter + "}";
            }
        };
    }

    boolean keep(SpanData span) {
        if (Boolean.TRUE.equals(span.getAttributes().get(CallAttributes.SAMPLING_KEEP))
                || alwaysKept(span.getAttributes()::get, span.getStatus().getStatusCode() == StatusCode.ERROR)) {
            return true;
        }
        // An allowed call ended well, or a span without a decision (an upstream CLIENT span of such a call): by trace id.
        return sampledIn(span.getTraceId());
    }

    /** How {@link #alwaysKept} reads a span's attributes (a finished span's, or one still open). */
    @FunctionalInterface
    public interface AttributeLookup {
        <T> T get(io.opentelemetry.api.common.AttributeKey<T> key);
    }

    /**
     * Whether a call's span is exported whatever the share: the call failed, was denied or held for approval, was
     * audited or shadow-denied, had its result withheld, redacted or audited by a result rule (review BK: those were
     * sampled out as allowed calls), had a request the upstream sent denied by policy or withheld unrecorded, had an
     * upstream attempt fail (review BN), or met unreviewed tool definitions. {@link CallTrace} asks the same of a SERVER span
     * ending, to mark its CLIENT span ({@link CallAttributes#SAMPLING_KEEP}) so the trace is kept whole.
     *
     * @param failed the span's status is an error
     */
    public static boolean alwaysKept(AttributeLookup span, boolean failed) {
        if (failed || span.get(CallAttributes.ERROR_TYPE) != null) {
            return true;
        }
        Boolean allowed = span.get(CallAttributes.POLICY_ALLOWED);
        if (allowed != null && (!allowed || span.get(CallAttributes.APPROVAL_ID) != null)) {
            return true; // denied, or held for approval
        }
        String action = span.get(CallAttributes.POLICY_ACTION);
        if (allowed != null && action != null && !action.equals("allow") && !action.equals("not_policed")) {
            return true; // audit, shadow denials and the like are what an operator looks for
        }
        String result = span.get(CallAttributes.RESULT_ACTION);
        if (result != null && !result.equals("allow")) {
            return true; // a result withheld (an injection), redacted (a leaked secret) or audited
        }
        if (span.get(CallAttributes.SERVER_REQUEST_DENIED) != null || span.get(CallAttributes.SERVER_REQUEST_UNRECORDED) != null) {
            return true; // a request the upstream sent during the call was denied, or withheld unrecorded (review BN)
        }
        if (span.get(CallAttributes.UPSTREAM_FAILED_ATTEMPTS) != null) {
            return true; // an instance failed the call: the failed attempt's CLIENT span is exported, so is its call (review BN)
        }
        return span.get(CallAttributes.PINNING_UNREVIEWED) != null;
    }

    private boolean sampledIn(String traceId) {
        long bits = Long.parseUnsignedLong(traceId.substring(16), 16) & Long.MAX_VALUE;
        return bits < threshold;
    }
}
