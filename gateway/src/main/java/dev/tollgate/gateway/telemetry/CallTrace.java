package dev.tollgate.gateway.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;
import java.util.function.Supplier;

/**
 * The spans of one call. By default one SERVER span per call: it continues an incoming W3C traceparent (or, with
 * {@code incoming-trace: link}, starts a trace of its own linked to the caller's span),
 * carries the decision from its start (so a sampler sees it), records the upstream leg (address, time) and
 * is the context propagated upstream. Every extra span is export work on every call, so the others are
 * opt-in or rare: a CLIENT span per upstream attempt with {@code telemetry.upstream-spans}, and a short
 * "policy decision" span exported only for a call still open after {@code decision-span-after} or turned
 * into a stream, so a call whose upstream never answers still has its decision exported before it ends.
 */
public final class CallTrace {

    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";

    private final Telemetry telemetry;
    private final Span server;
    private final Context serverContext;
    private final Context parent;
    /** The decision's attributes for its own short span, built only when that span is exported (rare). */
    private final Supplier<Attributes> decision;
    /** The CLIENT span of the upstream attempt in flight ({@code upstream-spans}); null when none is open. */
    private Span client;
    /** Whether a CLIENT span was started: it shows the upstream's time, the SERVER span then does not. */
    private boolean clientStarted;
    private long failedAttempts;
    private long serverRequestsDenied;
    private long serverRequestsUnrecorded;
    private boolean decisionExported;
    private boolean ended;

    private CallTrace(Telemetry telemetry, Span server, Context serverContext, Context parent, Supplier<Attributes> decision) {
        this.telemetry = telemetry;
        this.server = server;
        this.serverContext = serverContext;
        this.parent = parent;
        this.decision = decision;
    }

    /**
     * The SERVER span of a call, about to start as a child of the trace context in the inbound headers (if any).
     * The call's attributes go straight into the SDK's span builder: an {@code Attributes.builder()} would sort
     * them into an immutable copy that the SDK then copies again. The decision goes in the same way, before
     * {@link Starting#start}.
     */
    public static Starting starting(Telemetry telemetry, MultiMap inboundHeaders, String name) {
        Context incoming = telemetry.propagator().extract(Context.root(), inboundHeaders, HeaderCarrier.GETTER);
        SpanBuilder builder = telemetry.tracer().spanBuilder(name).setSpanKind(SpanKind.SERVER);
        if (!telemetry.config().linkIncomingTrace()) {
            return new Starting(telemetry, incoming, builder.setParent(incoming));
        }
        // incoming-trace: link. A trace of the gateway's own, the caller's span a link: a caller choosing the trace id
        // could otherwise file its calls (audit records included) under another run's trace, or collide with it.
        SpanContext caller = Span.fromContext(incoming).getSpanContext();
        if (caller.isValid()) {
            builder.addLink(caller);
        }
        return new Starting(telemetry, Context.root(), builder.setNoParent());
    }

    /** The SERVER span's builder, collecting the call's attributes; used once, on the call's event loop. */
    public static final class Starting implements AttributeSink {
        private final Telemetry telemetry;
        private final Context parent;
        private final SpanBuilder builder;

        private Starting(Telemetry telemetry, Context parent, SpanBuilder builder) {
            this.telemetry = telemetry;
            this.parent = parent;
            this.builder = builder;
        }

        /** Sets one attribute; a null value sets nothing. */
        @Override
        public <T> Starting put(AttributeKey<T> key, T value) {
            if (value != null) {
                builder.setAttribute(key, value);
            }
            return this;
        }

        /**
         * Starts the span, the decision already put on it (a sampler sees it).
         *
         * @param decision the decision's attributes again, for the short decision span of a call that outlives
         *                 {@code decision-span-after}: built then, not on every call
         */
        public CallTrace start(Supplier<Attributes> decision) {
            Span server = builder.startSpan();
            return new CallTrace(telemetry, server, parent.with(server), parent, decision);
        }
    }

    /**
     * Exports the decision now on its own short span (once, and only while the call is open and traced): for
     * calls that outlive {@code decision-span-after} or become streams, whose SERVER span may end much later.
     */
    public void exportDecisionNow() {
        if (decisionExported || ended || !server.isRecording()) {
            return;
        }
        decisionExported = true;
        telemetry.tracer().spanBuilder("policy decision").setParent(serverContext).setSpanKind(SpanKind.INTERNAL)
                .setAllAttributes(decision.get()).startSpan().end();
    }

    /** Facts learnt after the decision (a held call's approval) on the SERVER span, while it is open. */
    public void annotate(Attributes attributes) {
        if (!ended) {
            server.setAllAttributes(attributes);
        }
    }

    /**
     * When a still-open call exports its decision span; never (MAX_VALUE) for a call not traced or sampled out, or
     * when no exporter is configured (the span would go nowhere, and the call's timer need not wake for it).
     */
    public long decisionSpanAfterMillis() {
        return server.isRecording() && telemetry.exporting() ? telemetry.config().decisionSpanAfter().toMillis() : Long.MAX_VALUE;
    }

    /**
     * The upstream request to {@code host:port} is about to be sent: its trace context goes into the upstream
     * request's headers, as a CLIENT span's (named by {@code name}) when {@code upstream-spans} is on, else as the
     * SERVER span's (one span per call), which then records the address itself.
     */
    public void startUpstream(Supplier<String> name, String host, long port, MultiMap upstreamHeaders) {
        if (telemetry.config().linkIncomingTrace()) {
            // The caller's context is not passed on: the gateway's span, when there is one, is the only parent upstream.
            upstreamHeaders.remove(TRACEPARENT).remove(TRACESTATE);
        }
        if (telemetry.config().upstreamSpans()) {
            if (client != null) {
                // One CLIENT span per attempt: one still open is an attempt given up without being told (review BN: a
                // retry's span replaced it, and it was never ended nor exported).
                upstreamAttemptFailed("upstream_attempt_abandoned");
            }
            clientStarted = true;
            client = telemetry.tracer().spanBuilder(name.get()).setParent(serverContext).setSpanKind(SpanKind.CLIENT)
                    .setAttribute(CallAttributes.SERVER_ADDRESS, host).setAttribute(CallAttributes.SERVER_PORT, port).startSpan();
            telemetry.propagator().inject(serverContext.with(client), upstreamHeaders, HeaderCarrier.SETTER);
        } else {
            server.setAttribute(CallAttributes.SERVER_ADDRESS, host);
            server.setAttribute(CallAttributes.SERVER_PORT, port);
            telemetry.propagator().inject(serverContext, upstreamHeaders, HeaderCarrier.SETTER);
        }
    }

    /**
     * An upstream attempt failed (no connection, reset, dropped) while the call goes on (tried on another instance) or
     * is about to fail: counted on the SERVER span ({@link CallAttributes#UPSTREAM_FAILED_ATTEMPTS}, so
     * {@code sample-allowed} keeps the call), and the attempt's CLIENT span, when one was started, ends now with the
     * failure, before the next attempt's starts (review BN: it was overwritten, never ended nor exported). It names the
     * instance it went to ({@code server.address}, {@code server.port}) and is kept with its call.
     */
    public void upstreamAttemptFailed(String errorType) {
        if (ended) {
            return;
        }
        failedAttempts++;
        server.setAttribute(CallAttributes.UPSTREAM_FAILED_ATTEMPTS, failedAttempts);
        if (client != null) {
            client.setAttribute(CallAttributes.SAMPLING_KEEP, true);
            end(client, 0, errorType);
            client = null;
        }
    }

    /**
     * A request the upstream sent during the call (on its stream, or carried in its answer) was denied by policy: counted
     * on the SERVER span ({@link CallAttributes#SERVER_REQUEST_DENIED}), so {@code sample-allowed} keeps the trace its
     * audit record names (review BN).
     */
    public void serverRequestDenied() {
        if (!ended) {
            serverRequestsDenied++;
            server.setAttribute(CallAttributes.SERVER_REQUEST_DENIED, serverRequestsDenied);
        }
    }

    /**
     * A request the upstream sent during the call was withheld because its audit record could not be kept
     * ({@code when-full: reject}): counted on the SERVER span ({@link CallAttributes#SERVER_REQUEST_UNRECORDED}), so the
     * span, the only trace of that decision left, is kept.
     */
    public void serverRequestUnrecorded() {
        if (!ended) {
            serverRequestsUnrecorded++;
            server.setAttribute(CallAttributes.SERVER_REQUEST_UNRECORDED, serverRequestsUnrecorded);
        }
    }

    /** The time spent waiting on the upstream, on the SERVER span when there is no CLIENT span to show it. */
    public void upstreamTook(long nanos) {
        if (!clientStarted && nanos > 0 && !ended) {
            server.setAttribute(CallAttributes.UPSTREAM_DURATION_MS, nanos / 1e6);
        }
    }

    private void endUpstream(int status, String errorType) {
        if (client != null) {
            // The SERVER span, ending just after, is exported whatever telemetry.sample-allowed says (a denied, audited,
            // failed call, a result finding): its CLIENT span is marked to be kept with it (review BK: the kept trace lost
            // its upstream leg). Its attributes are all set by now, the result's verdict included.
            if (server instanceof io.opentelemetry.sdk.trace.ReadableSpan readable
                    && AllowedCallSampling.alwaysKept(readable::getAttribute, errorType != null || status >= 500)) {
                client.setAttribute(CallAttributes.SAMPLING_KEEP, true);
            }
            end(client, 0, errorType);
            client = null;
        }
    }

    /** Ends the SERVER span (and a CLIENT span still open); later calls do nothing. */
    public void end(int status, String errorType) {
        if (ended) {
            return;
        }
        ended = true;
        endUpstream(status, errorType);
        end(server, status, errorType);
    }

    /**
     * The call's trace id: the SERVER span's, or, when the gateway's own tracing is off (no exporter, so the
     * SDK records nothing), the incoming traceparent's, so audit records still join the caller's trace.
     */
    public String traceId() {
        if (server.getSpanContext().isValid()) {
            return server.getSpanContext().getTraceId();
        }
        var incoming = Span.fromContext(parent).getSpanContext();
        return incoming.isValid() ? incoming.getTraceId() : null;
    }

    private static void end(Span span, int status, String errorType) {
        if (status > 0) {
            span.setAttribute(CallAttributes.HTTP_STATUS, (long) status);
        }
        if (errorType != null) {
            span.setAttribute(CallAttributes.ERROR_TYPE, errorType);
            span.setStatus(StatusCode.ERROR, errorType);
        } else if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
