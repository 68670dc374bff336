package dev.tollgate.gateway;

import dev.tollgate.gateway.admin.AdminServer;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.budget.Budgets;
import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.gateway.config.TasksConfig;
import dev.tollgate.gateway.pipeline.TaskOrigins;
import dev.tollgate.gateway.tasks.RedisTaskStore;
import dev.tollgate.gateway.identity.SvidSource;
import dev.tollgate.gateway.identity.SvidSources;
import io.vertx.core.Context;
import java.util.Map;
import dev.tollgate.gateway.telemetry.Telemetry;
import dev.tollgate.gateway.upstream.UpstreamHealthChecker;
import dev.tollgate.gateway.approval.Approvals;
import java.io.IOException;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running gateway: the traffic listeners (one verticle per event loop), the admin server and the
 * current configuration snapshot.
 */
public final class Gateway {

    private final Vertx vertx;
    private final AtomicReference<GatewaySnapshot> snapshot;
    private final GatewayServices services;
    private final List<String> deployments;
    private final List<Integer> ports;
    private final AdminServer admin;
    private final int adminPort;
    private final AtomicBoolean ready;
    private final UpstreamHealthChecker health;

    private Gateway(Vertx vertx, AtomicReference<GatewaySnapshot> snapshot, GatewayServices services,
                    List<String> deployments, List<Integer> ports, AdminServer admin, int adminPort, AtomicBoolean ready,
                    UpstreamHealthChecker health) {
        this.health = health;
        this.vertx = vertx;
        this.snapshot = snapshot;
        this.services = services;
        this.deployments = deployments;
        this.ports = ports;
        this.admin = admin;
        this.adminPort = adminPort;
        this.ready = ready;
    }

    /**
     * Starts with one listener verticle per available processor, loading the policies the configuration
     * names (file reads: call this from a startup thread, not from an event loop).
     */
    public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
        return start(vertx, config, Runtime.getRuntime().availableProcessors());
    }

    public static Future<Gateway> start(Vertx vertx, GatewayConfig config, int eventLoops) {
        try {
            return start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).compile(config), eventLoops);
        } catch (ConfigException e) {
            return Future.failedFuture(e);
        }
    }

    /** Starts with tracing and audit as the snapshot's configuration says (opens the audit files: startup thread only). */
    public static Future<Gateway> start(Vertx vertx, GatewaySnapshot initial, int eventLoops) {
        GatewayConfig config = initial.config();
        if (Context.isOnEventLoopThread()) {
            return Future.failedFuture(new IllegalStateException("Gateway.start reads files and waits for the SPIFFE Workload API:"
                    + " call it from a startup thread, not an event loop"));
        }
        // SVIDs first: the Workload API may make startup fail, and then nothing else has been opened.
        Map<String, SvidSource> svids;
        try {
            svids = SvidSources.open(config.listeners());
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.watchAccessLog(dev.tollgate.gateway.pipeline.AccessLog::droppedLines);
        AuditLog audit = null;
        if (config.audit().enabled()) {
            try {
                audit = AuditLog.open(config.audit());
                metrics.watchAudit(audit);
                if (config.audit().findingDigestKeyFile() != null) {
                    // Findings' digests under a key derived from the operator's: alike on every replica configured alike, and
                    // no guessing a card number back from its digest without the key (review BY). Without one: a random key.
                    dev.tollgate.policy.detect.FindingDigest.useKey(dev.tollgate.policy.detect.FindingDigest.keyFrom(
                            dev.tollgate.gateway.config.AuditKeyFile.read(config.audit().findingDigestKeyFile())));
                }
            } catch (IOException e) {
                SvidSources.closeAll(svids.values());
                return Future.failedFuture(new IllegalStateException("cannot open the audit log in " + config.audit().directory(), e));
            }
        }
        return start(vertx, initial, eventLoops, new GatewayServices(metrics, Telemetry.create(config.telemetry()), audit, svids))
                .onFailure(e -> vertx.executeBlocking(() -> {
                    SvidSources.closeAll(svids.values());
                    return null;
                }, false));
    }

    /** Task ownership as {@code tasks:} configures it: in this replica's memory, or shared through Redis too. */
    private static TaskOrigins taskOrigins(Vertx vertx, GatewayConfig config, io.micrometer.core.instrument.MeterRegistry registry) {
        var retention = config.tasks().retention();
        return new TaskOrigins(config.tasks().store() != TasksConfig.Store.REDIS ? null
                : new RedisTaskStore(vertx, config.redis(), TaskOrigins.sharedRetention(retention), registry), retention,
                config.tasks().maxBindingsPerTenant());
    }

    /** Starts with the given services (tests: an in-memory span exporter). The gateway closes them when it closes. */
    public static Future<Gateway> start(Vertx vertx, GatewaySnapshot initial, int eventLoops, GatewayServices given) {
        GatewayConfig config = initial.config();
        // With tasks: {store: redis} every replica reads and writes the task and context bindings in Redis.
        boolean sharedTasks = config.tasks().store() == TasksConfig.Store.REDIS;
        boolean ownTasks = sharedTasks || !config.tasks().retention().equals(TasksConfig.DEFAULT_RETENTION)
                || config.tasks().maxBindingsPerTenant() != TasksConfig.DEFAULT_MAX_BINDINGS_PER_TENANT;
        GatewayServices services = given.budgets() != null && given.approvals() != null && !ownTasks ? given : new GatewayServices(given.metrics(),
                given.telemetry(), given.audit(), given.svids(), given.budgets() != null ? given.budgets() : Budgets.create(vertx, config),
                ownTasks ? given.learnt().withTaskOrigins(taskOrigins(vertx, config, given.metrics().registry())) : given.learnt(), given.concurrentCalls(), given.replays(), given.upstreams(),
                given.approvals() != null ? given.approvals() : Approvals.create(vertx, config, given.metrics().registry()), given.recentDecisions(),
                given.toolCallCounts());
        AtomicReference<GatewaySnapshot> snapshot = new AtomicReference<>(initial);
        services.learnt().pins().serving(initial.pins());
        GatewayMetrics metrics = services.metrics();
        metrics.watchSpans(services.telemetry().counts());
        metrics.configLive(initial.live().hash());
        // Verified AXIDs: the cache of the snapshot serving now (a reload starts a new one).
        metrics.watchCacheHitRatio("axid", () -> snapshot.get().axid() == null ? Double.NaN : snapshot.get().axid().hitRate());
        metrics.watchBudgets(services.budgets());
        AtomicBoolean ready = new AtomicBoolean();
        List<String> deployments = new ArrayList<>();
        // The first instance binds and resolves port 0; the others are given the same listener settings, so
        // Vert.x shares the bound servers with them (a server on port 0 is shared under its requested port,
        // not under the port it resolved to: re-binding the resolved port would fail with "in use").
        GatewayVerticle first = new GatewayVerticle(snapshot::get, config.listeners(), services);
        // Probes carry the route's upstream credential, a client-credentials token of the serving snapshot included.
        UpstreamHealthChecker health = new UpstreamHealthChecker(services.upstreams(), services.svids(), route -> {
            var verifier = snapshot.get().oauth(route);
            return verifier == null ? null : verifier.upstreamTokens();
        });
        // The serving routes' instances and meters, before any call or probe resolves them.
        services.upstreams().retain(initial.routes().routes());
        return vertx.deployVerticle(health).compose(healthId -> {
            deployments.add(healthId);
            health.watch(initial.routes().routes());
            return vertx.deployVerticle(first);
        }).compose(id -> {
            deployments.add(id);
            List<Integer> ports = first.boundPorts();
            Future<String> rest = eventLoops <= 1 ? Future.succeededFuture()
                    : vertx.deployVerticle(() -> new GatewayVerticle(snapshot::get, config.listeners(), services),
                            new DeploymentOptions().setInstances(eventLoops - 1));
            return rest.compose(restId -> {
                if (restId != null) {
                    deployments.add(restId);
                }
                AdminServer admin = new AdminServer(vertx, config.admin(), metrics, ready::get, snapshot::get, services.upstreams(), services.approvals(),
                        services.recentDecisions());
                return admin.start().map(adminPort -> {
                    if (config.approvals().adminUrl() == null) {
                        services.approvals().adminUrl("http://" + config.admin().host() + ":" + adminPort);
                    }
                    ready.set(true);
                    return new Gateway(vertx, snapshot, services, deployments, ports, admin, adminPort, ready, health);
                });
            });
        });
    }

    /** Bound port of the first listener. */
    public int port() {
        return ports.get(0);
    }

    /** Bound ports of every listener, in configuration order. */
    public List<Integer> ports() {
        return ports;
    }

    /** The admin server, e.g. to enable {@code POST /reload} once a reload watcher exists. */
    public AdminServer admin() {
        return admin;
    }

    public int adminPort() {
        return adminPort;
    }

    public GatewayMetrics metrics() {
        return services.metrics();
    }

    public GatewayServices services() {
        return services;
    }

    public GatewaySnapshot snapshot() {
        return snapshot.get();
    }

    /**
     * Swaps in a new snapshot (routes, limits, policies) atomically. Requests already running finish on
     * the snapshot they started with. Listener and admin addresses are bound at start and need a restart:
     * the returned list names any such change that this swap could not apply.
     */
    public List<String> swap(GatewaySnapshot next) {
        // Instances that stay keep their state; removed ones go with their metrics; checks follow the new routes. The new
        // routes' instances are resolved before they serve: a call of the new snapshot never finds its route unresolved, and
        // a call of the old one is balanced over the new instances of its route (Upstreams.of), never a removed one.
        services.upstreams().retain(next.routes().routes());
        GatewaySnapshot previous = snapshot.getAndSet(next);
        // Renewed pin manifests are the newer ones: an exchange begun under the one they replace changes nothing PinWatch
        // records under them (review BC), even when the operator went back to an older file. Once the snapshot serves, so
        // that a list answered before it (held against the old neighbours) is in what a newly pinning route starts from.
        services.learnt().pins().serving(next.pins());
        services.metrics().configLive(next.live().hash());
        health.watch(next.routes().routes());
        List<String> needRestart = new ArrayList<>();
        if (!previous.config().listeners().equals(next.config().listeners())) {
            needRestart.add("listeners");
        }
        if (!previous.config().admin().equals(next.config().admin())) {
            needRestart.add("admin");
        }
        // The ledger, its cache and the token buckets live for the process; the pricing table reloads.
        BudgetConfig was = previous.config().budget();
        BudgetConfig now = next.config().budget();
        // Whether calls are charged (enabled) follows the serving snapshot, as pricing does; every other budgets setting
        // (ledger, mode, cache-ttl, cache-max-age, on-ledger-error, max-staleness, timeout, hold-expiry, drain-timeout,
        // http) is read at start only (review BP: max-staleness, timeout, hold-expiry and drain-timeout were ignored
        // without a word).
        services.budgets().serving(now);
        if (!startOnly(was).equals(startOnly(now))) {
            needRestart.add("budgets (ledger settings)");
        }
        if (!java.util.Objects.equals(previous.config().redis(), next.config().redis())) {
            needRestart.add("redis");
        }
        if (!previous.config().rateLimits().equals(next.config().rateLimits())) {
            needRestart.add("rate-limits");
        }
        if (!previous.config().tasks().equals(next.config().tasks())) {
            needRestart.add("tasks");
        }
        // The audit log, the span exporter and the approval channels are built once, at start (review revJ: a reload
        // turning the audit log on was reported applied while calls went unrecorded). Argument redaction and the access
        // log are the telemetry settings each call reads from its snapshot.
        if (!previous.config().audit().equals(next.config().audit())) {
            needRestart.add("audit");
        }
        if (!sameBesidesRedaction(previous.config().telemetry(), next.config().telemetry())) {
            needRestart.add("telemetry");
        }
        if (!previous.config().approvals().equals(next.config().approvals())) {
            needRestart.add("approvals");
        }
        return needRestart;
    }

    /** The budgets settings read only at start: all but whether calls are charged and the pricing table. */
    private static BudgetConfig startOnly(BudgetConfig c) {
        return new BudgetConfig(false, c.ledger(), c.mode(), c.cacheTtl(), c.cacheMaxAge(), c.onLedgerError(), c.maxStaleness(), c.timeout(),
                c.holdExpiry(), c.drainTimeout(), c.http(), null);
    }

    private static boolean sameBesidesRedaction(dev.tollgate.gateway.config.TelemetryConfig was, dev.tollgate.gateway.config.TelemetryConfig now) {
        // Redaction and the access log are read from each call's snapshot: a change to them is applied.
        return was.equals(new dev.tollgate.gateway.config.TelemetryConfig(now.serviceName(), now.tracesExporter(), now.recordArguments(),
                was.redactPaths(), now.upstreamSpans(), now.decisionSpanAfter(), now.sampleAllowed(), was.accessLog(), now.linkIncomingTrace()));
    }

    /** Marks the gateway not ready (so load balancers drain it), then closes listeners and pools. */
    public Future<Void> close() {
        ready.set(false);
        // Calls still held for approval are denied first, so their clients are answered before the listeners close.
        Future<Void> approvalsStopped = services.approvals() == null ? Future.succeededFuture() : services.approvals().stop();
        return approvalsStopped.eventually(this::closeListenersAndServices);
    }

    /**
     * Waits, at most {@link #CALLS_END_TIMEOUT}, until no call holds a concurrency slot: a call in flight when its
     * connection closed completes on its event loop after the listener is gone, and its audit record must reach the
     * log before the log closes (review revJ: ten calls in flight at shutdown left no record).
     */
    private Future<Void> callsEnded() {
        io.vertx.core.Promise<Void> ended = io.vertx.core.Promise.promise();
        long deadline = System.nanoTime() + CALLS_END_TIMEOUT.toNanos();
        vertx.setPeriodic(10, timer -> {
            if (services.concurrentCalls().total() == 0 || System.nanoTime() > deadline) {
                vertx.cancelTimer(timer);
                // A call gives its slot back just before it offers its record, on its own event loop: one tick more.
                vertx.setTimer(20, t -> ended.tryComplete());
            }
        });
        return ended.future();
    }

    private static final java.time.Duration CALLS_END_TIMEOUT = java.time.Duration.ofSeconds(5);

    private Future<Void> closeListenersAndServices() {
        List<Future<Void>> closing = new ArrayList<>();
        deployments.forEach(id -> closing.add(vertx.undeploy(id)));
        closing.add(admin.close());
        // Listeners first (no new calls), then the calls they cut end and record, then what records them: the audit
        // drains, spans flush.
        return Future.join(closing).eventually(this::callsEnded).eventually(() -> vertx.executeBlocking(() -> {
            if (services.audit() != null) {
                services.audit().close();
            }
            services.telemetry().close();
            services.budgets().close();
            services.learnt().taskOrigins().close();
            // The Workload API streams and the JWKS refresh thread end with the gateway, not with the JVM.
            SvidSources.closeAll(services.svids().values());
            if (snapshot.get().axid() != null) {
                snapshot.get().axid().closeRemoteKeys();
            }
            return null;
        }, false)).mapEmpty();
    }
}
