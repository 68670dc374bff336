package dev.tollgate.gateway.pipeline;

import org.slf4j.MDC;

/**
 * Puts the call's trace id and route into the logging MDC for the duration of one log statement. The event
 * loop interleaves many calls on one thread, so the MDC is set and cleared around each statement rather
 * than held for a request.
 */
final class CallLogContext {

    private CallLogContext() {
    }

    static void log(Exchange exchange, Runnable statement) {
        String traceId = exchange.trace() == null ? null : exchange.trace().traceId();
        if (traceId != null) {
            MDC.put("trace_id", traceId);
        }
        MDC.put("route", exchange.route().route().name());
        try {
            statement.run();
        } finally {
            MDC.remove("trace_id");
            MDC.remove("route");
        }
    }
}
