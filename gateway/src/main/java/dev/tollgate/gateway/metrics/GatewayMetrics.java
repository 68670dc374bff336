package dev.tollgate.gateway.metrics;

import dev.tollgate.gateway.errors.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The gateway's meters. Counters the hot path touches are created once up front, so recording is a
 * field read and an atomic add, never a registry lookup.
 */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<RejectReason, Counter> rejects = new EnumMap<>(RejectReason.class);
    private final Counter clientAborts;
    private static final java.util.Set<String> KNOWN_METHODS = java.util.Set.of("initialize", "ping", "tools/list", "tools/call",
            "resources/list", "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe",
            "prompts/list", "prompts/get", "completion/complete", "logging/setLevel", "tasks/get", "tasks/result", "tasks/cancel",
            "tasks/list", "tasks/update", "server/discover", "subscriptions/listen", "sampling/createMessage", "elicitation/create", "roots/list", "notifications/initialized",
            "notifications/cancelled", "notifications/progress", "notifications/roots/list_changed", "response", "batch",
            "GET", "DELETE", "POST");
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, RouteTimers> routeTimers = new ConcurrentHashMap<>();
    private final AtomicInteger openStreams = new AtomicInteger();
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
        Gauge.builder("tollgate.sse.streams.open", openStreams, AtomicInteger::get)
                .description("SSE streams being relayed right now").register(registry);
        reloadsApplied = Counter.builder("tollgate.reloads").tag("result", "applied")
                .description("Configuration reloads, by result").register(registry);
        reloadsRejected = Counter.builder("tollgate.reloads").tag("result", "rejected")
                .description("Configuration reloads, by result").register(registry);
    }

    /**
     * One completed call: counted by route, method and decision; its total time and, separately, the time
     * spent waiting on the upstream and the gateway's own share, as histograms. The method tag is bounded:
     * names outside MCP's own become "other", so a client cannot blow up the series count.
     */
    public void completed(String route, String method, String decision, long totalNanos, long upstreamNanos) {
        String m = KNOWN_METHODS.contains(method) ? method : "other";
        requests.computeIfAbsent(route + '\0' + m + '\0' + decision, k -> Counter.builder("tollgate.requests")
                .description("Calls by route, method and decision").tag("route", route).tag("method", m).tag("decision", decision)
                .register(registry)).increment();
        RouteTimers timers = routeTimers.computeIfAbsent(route, this::timersFor);
        timers.total.record(totalNanos, TimeUnit.NANOSECONDS);
        if (upstreamNanos > 0) {
            timers.upstream.record(upstreamNanos, TimeUnit.NANOSECONDS);
            timers.gateway.record(Math.max(0, totalNanos - upstreamNanos), TimeUnit.NANOSECONDS);
        }
    }

    public void serverRequestDecided(String route, String method, boolean denied) {
        completed(route, method, denied ? "denied" : "allowed", 0, 0);
    }

    public void sseStreamOpened() {
        openStreams.incrementAndGet();
    }

    public void sseStreamClosed() {
        openStreams.decrementAndGet();
    }

    /** Ledger reads and failures, the spend cache's hit ratio, refused holds and tokens, failed records. */
    public void watchBudgets(dev.tollgate.gateway.budget.Budgets budgets) {
        var cache = budgets.cache();
        String ledger = budgets.ledger().kind();
        watchCacheHitRatio("spend", cache::hitRatio);
        FunctionCounter.builder("tollgate.ledger.reads", cache, c -> c.reads()).tag("ledger", ledger)
                .description("Spend reads sent to the ledger").register(registry);
        FunctionCounter.builder("tollgate.ledger.read.failures", cache, c -> c.failures()).tag("ledger", ledger)
                .description("Spend reads that failed or timed out").register(registry);
        FunctionCounter.builder("tollgate.ledger.stale.decisions", cache, c -> c.staleUses()).tag("ledger", ledger)
                .description("Calls decided on a stale spend because the ledger failed (on-ledger-error: allow-stale)").register(registry);
        FunctionCounter.builder("tollgate.budget.ledger.regressions", cache, c -> c.ledgerRegressions()).tag("ledger", ledger)
                .description("Spend reads that answered less than this gateway had recorded for the tree (the ledger lost data)")
                .register(registry);
        FunctionCounter.builder("tollgate.ledger.record.failures", budgets, b -> b.recordFailures()).tag("ledger", ledger)
                .description("Charges the ledger did not confirm").register(registry);
        FunctionCounter.builder("tollgate.ledger.settle.abandoned", budgets, b -> b.settlesAbandoned()).tag("ledger", ledger)
                .description("Strict-mode holds whose commit or release the ledger never confirmed within hold-expiry of retries")
                .register(registry);
        Gauge.builder("tollgate.budget.holds.renewing", budgets, b -> b.holdsRenewing())
                .description("Strict-mode holds this gateway keeps alive for its calls in flight (0 when none runs)")
                .register(registry);
        FunctionCounter.builder("tollgate.budget.holds.lapsed", budgets, b -> b.holdsLapsed())
                .description("Strict-mode holds found lapsed while their call still ran (the ledger was out of reach)")
                .register(registry);
        FunctionCounter.builder("tollgate.budget.holds.refused", budgets, b -> b.holdsRefused())
                .description("Calls denied because their cost did not fit the budget").register(registry);
        FunctionCounter.builder("tollgate.rate.limited", budgets, b -> b.rateRefused())
                .description("Calls denied because their rate-limit bucket was empty").register(registry);
        FunctionCounter.builder("tollgate.rate.table.full", budgets, b -> b.rateTableFull())
                .description("Calls denied because the local rate-limit table, or their owner's share of it, was full").register(registry);
    }

    /** Exposes a cache's hit ratio (0..1) as {@code tollgate_cache_hit_ratio{cache=...}}. */
    public void watchCacheHitRatio(String cache, java.util.function.DoubleSupplier hitRatio) {
        Gauge.builder("tollgate.cache.hit.ratio", hitRatio, java.util.function.DoubleSupplier::getAsDouble)
                .description("Share of lookups answered from the cache").tag("cache", cache)
                .strongReference(true).register(registry);
    }

    /** What became of the spans: exported, refused by the collector, dropped by the SDK because its queue was full. */
    public void watchSpans(dev.tollgate.gateway.telemetry.SpanPipelineCounts spans) {
        FunctionCounter.builder("tollgate.spans.exported", spans, s -> s.exported())
                .description("Spans delivered to the trace exporter's endpoint").register(registry);
        FunctionCounter.builder("tollgate.spans.export.failed", spans, s -> s.exportFailed())
                .description("Spans in export requests that failed (collector down or refusing)").register(registry);
        FunctionCounter.builder("tollgate.spans.dropped", spans, s -> s.dropped())
                .description("Spans the SDK dropped because its export queue was full (OTEL_BSP_MAX_QUEUE_SIZE)").register(registry);
        FunctionCounter.builder("tollgate.spans.sampled.out", spans, s -> s.sampledOut())
                .description("Spans of allowed, successful calls left out by telemetry.sample-allowed").register(registry);
    }

    /** Exposes the access log's dropped lines (read from {@code dropped} at each scrape: the log outlives gateways in tests). */
    public void watchAccessLog(LongSupplier dropped) {
        FunctionCounter.builder("tollgate.access.log.dropped", dropped, LongSupplier::getAsLong)
                .description("Access-log lines dropped: more than 16,384 waiting, or stdout failing").register(registry);
    }

    /** Exposes the audit writer's state: queued, written, dropped, lost and retried records, health, last seq. */
    public void watchAudit(dev.tollgate.gateway.audit.AuditLog audit) {
        Gauge.builder("tollgate.audit.queued", audit, a -> a.queued()).description("Audit records waiting for the writer").register(registry);
        FunctionCounter.builder("tollgate.audit.written", audit, a -> a.written()).register(registry);
        FunctionCounter.builder("tollgate.audit.dropped", audit, a -> a.dropped())
                .description("Audit records dropped because the queue was full (when-full: drop, or server-to-client requests)").register(registry);
        FunctionCounter.builder("tollgate.audit.failed", audit, a -> a.failedRecords())
                .description("Audit records lost because they could not be serialized").register(registry);
        FunctionCounter.builder("tollgate.audit.lost", audit, a -> a.lostRecords())
                .description("Audit records written to a file that was then removed, renamed away, replaced or cut while open").register(registry);
        FunctionCounter.builder("tollgate.audit.write.failures", audit, a -> a.failedWrites())
                .description("Audit write attempts that failed (records kept and retried)").register(registry);
        Gauge.builder("tollgate.audit.healthy", audit, a -> a.healthy() ? 1 : 0)
                .description("1 while audit writes succeed, 0 while they fail (when-full: reject refuses calls)").register(registry);
        Gauge.builder("tollgate.audit.last.seq", audit, a -> a.lastWrittenSeq())
                .description("seq of the last audit record on disk: compare with tollgate audit verify --expect-seq").register(registry);
    }

    private RouteTimers timersFor(String route) {
        return new RouteTimers(timer("tollgate.request.duration", "Whole call as the client sees it", route),
                timer("tollgate.upstream.duration", "Waiting on the upstream, to its response headers", route),
                timer("tollgate.gateway.duration", "The gateway's own share: total minus upstream", route));
    }

    private Timer timer(String name, String description, String route) {
        return Timer.builder(name).description(description).tag("route", route).publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofNanos(10_000)).maximumExpectedValue(java.time.Duration.ofSeconds(60))
                .register(registry);
    }

    private record RouteTimers(Timer total, Timer upstream, Timer gateway) {
    }

    /**
     * {@code tollgate_config_info{hash}} is 1 for the configuration serving now (see LiveConfig): during a rollout,
     * counting replicas per hash shows how far it went.
     */
    public synchronized void configLive(String hash) {
        if (configInfo != null) {
            registry.remove(configInfo);
        }
        configInfo = Gauge.builder("tollgate.config.info", () -> 1).description("1 for the configuration this replica serves, by hash")
                .tag("hash", hash).strongReference(true).register(registry);
    }

    /** A result decided by result policy: counted by route and action (allow, audit, redact, deny). */
    public void resultDecided(String route, String action) {
        results.computeIfAbsent(route + '\0' + action, k -> Counter.builder("tollgate.result.decisions")
                .description("Tool and A2A results decided by result rules, by route and action")
                .tag("route", route).tag("action", action).register(registry)).increment();
    }

    private final Map<String, Counter> results = new ConcurrentHashMap<>();

    public void reloaded(boolean applied) {
        (applied ? reloadsApplied : reloadsRejected).increment();
    }

    public void rejected(RejectReason reason) {
        rejects.get(reason).increment();
    }

    public double rejectCount(RejectReason reason) {
        return rejects.get(reason).count();
    }

    private Gauge configInfo;

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
