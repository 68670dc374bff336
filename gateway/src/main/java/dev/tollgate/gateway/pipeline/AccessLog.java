package dev.tollgate.gateway.pipeline;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.tollgate.policy.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per call on the {@code tollgate.access} logger, as nginx and Envoy write: route, method, tool, caller,
 * decision, status, upstream and total time, trace id, and the error if the gateway answered itself. In JSON each is a
 * field of its own; in text, {@code key=value}. The logger's appender queues lines off the event loop and drops them
 * rather than block (see logback.xml); the audit log is the record that keeps every call.
 */
final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("tollgate.access");

    private AccessLog() {
    }

    static void write(Exchange exchange, String method, String target, String decision, int status, long totalNanos) {
        if (!exchange.snapshot().config().telemetry().accessLog() || !LOG.isInfoEnabled()) {
            return;
        }
        String error = exchange.errorType();
        String traceId = exchange.trace() == null ? null : exchange.trace().traceId();
        LOG.info("{} {} {} {} {} {} {} {} {} {}", kv("route", exchange.route().route().name()), kv("method", method),
                kv("tool", target == null ? "-" : target), kv("caller", caller(exchange.identity())), kv("decision", decision),
                kv("status", status), kv("upstream_ms", millis(exchange.upstreamNanos())), kv("total_ms", millis(totalNanos)),
                kv("trace_id", traceId == null ? "-" : traceId), kv("error", error == null ? "-" : error));
    }

    /** Who called, as briefly as the identity allows: the AXID's tenant/agent/run, else the OAuth subject, else the SPIFFE ID. */
    private static String caller(Identity who) {
        if (who.tenant() != null || who.agent() != null) {
            return who.tenant() + "/" + who.agent() + (who.run() == null ? "" : "/" + who.run());
        }
        if (who.claims().get("oauth_sub") instanceof String subject) {
            return "oauth:" + subject;
        }
        return who.spiffeId() == null ? "-" : who.spiffeId();
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
