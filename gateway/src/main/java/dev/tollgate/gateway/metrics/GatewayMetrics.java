package dev.tollgate.gateway.metrics;

import dev.tollgate.gateway.errors.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The gateway's meters. Counters the hot path touches are created once up front, so recording is a
 * field read and an atomic add, never a registry lookup.
 */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<RejectReason, Counter> rejects = new EnumMap<>(RejectReason.class);
    private final Counter clientAborts;
    private final Counter reloadsApplied;
    private final Counter reloadsRejected;

    public GatewayMetrics() {
        for (RejectReason reason : RejectReason.values()) {
            rejects.put(reason, Counter.builder("tollgate.rejects")
                    .description("Calls the gateway answered itself, by stable reason")
                    .tag("reason", reason.code())
                    .register(registry));
        }
        clientAborts = Counter.builder("tollgate.client.aborts")
                .description("Client connections closed before the answer was complete (upstream request cancelled)")
                .register(registry);
        reloadsApplied = Counter.builder("tollgate.reloads").tag("result", "applied")
                .description("Configuration reloads, by result").register(registry);
        reloadsRejected = Counter.builder("tollgate.reloads").tag("result", "rejected")
                .description("Configuration reloads, by result").register(registry);
    }

    public void reloaded(boolean applied) {
        (applied ? reloadsApplied : reloadsRejected).increment();
    }

    public void rejected(RejectReason reason) {
        rejects.get(reason).increment();
    }

    public double rejectCount(RejectReason reason) {
        return rejects.get(reason).count();
    }

    public void clientAborted() {
        clientAborts.increment();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition of every meter, for the admin {@code /metrics} endpoint. */
    public String scrape() {
        return registry.scrape();
    }
}
