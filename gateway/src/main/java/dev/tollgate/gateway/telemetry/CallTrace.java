package dev.tollgate.gateway.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;

/**
 * The spans of one call: the SERVER span for the inbound request (continuing an incoming W3C traceparent),
 * and the CLIENT span for the upstream request (its context propagated upstream). A "policy decision" span
 * is ended as soon as the decision is made, so a call whose upstream never answers still has its decision
 * exported right away.
 */
public final class CallTrace {

    private final Telemetry telemetry;
    private final Span server;
    private final Context serverContext;
    private final Context parent;
    private Span client;
    private boolean ended;

    private CallTrace(Telemetry telemetry, Span server, Context serverContext, Context parent) {
        this.telemetry = telemetry;
        this.server = server;
        this.serverContext = serverContext;
        this.parent = parent;
    }

    /** Starts the SERVER span as a child of the trace context in the inbound headers, if any. */
    public static CallTrace start(Telemetry telemetry, MultiMap inboundHeaders, String name, Attributes attributes) {
        Context parent = telemetry.propagator().extract(Context.root(), inboundHeaders, HeaderCarrier.GETTER);
        Span server = telemetry.tracer().spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAllAttributes(attributes).startSpan();
        return new CallTrace(telemetry, server, parent.with(server), parent);
    }

    /** Records the decision on the SERVER span and exports it at once on its own short span. */
    public void decided(Attributes decision) {
        server.setAllAttributes(decision);
        telemetry.tracer().spanBuilder("policy decision").setParent(serverContext).setSpanKind(SpanKind.INTERNAL)
                .setAllAttributes(decision).startSpan().end();
    }

    /** Starts the CLIENT span and writes its trace context into the upstream request's headers. */
    public void startUpstream(String name, Attributes attributes, MultiMap upstreamHeaders) {
        client = telemetry.tracer().spanBuilder(name).setParent(serverContext).setSpanKind(SpanKind.CLIENT)
                .setAllAttributes(attributes).startSpan();
        telemetry.propagator().inject(serverContext.with(client), upstreamHeaders, HeaderCarrier.SETTER);
    }

    public void endUpstream(int status, String errorType) {
        if (client != null) {
            end(client, status, errorType);
            client = null;
        }
    }

    /** Ends the SERVER span (and a CLIENT span still open); later calls do nothing. */
    public void end(int status, String errorType) {
        if (ended) {
            return;
        }
        ended = true;
        endUpstream(0, errorType);
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
