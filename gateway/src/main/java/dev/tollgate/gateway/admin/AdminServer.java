package dev.tollgate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocols.json.ExactNumbers;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AdminConfig;
import dev.tollgate.gateway.http.HostOriginGuard;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.upstream.Upstreams;
import java.util.Map;
import dev.tollgate.gateway.reload.ReloadResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator port: {@code /healthz} (alive), {@code /readyz} (listeners bound, not shutting down, every
 * health-checked route with a healthy upstream instance), {@code /metrics} (Prometheus), {@code POST /explain}
 * (why a call is allowed or denied), {@code POST /reload} (reload now) and {@code /admin/config} (the hash and
 * the effective configuration serving now, secrets redacted). Kept off the traffic listeners so it can be firewalled separately and
 * never matches a route.
 *
 * <p>Order, and why: the probes first (nothing to protect, and orchestrators send a Host no allow-list
 * can name); then the DNS-rebinding guard for everything else (a browser page must not read or drive the
 * port); then the token for the endpoints that reveal policy or change state; only then is a body read.
 */
public final class AdminServer {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Reads numbers as the gateway's call parser does, so explain decides on what the live gateway decides on. */
    private static final ObjectMapper JSON = ExactNumbers.readingExactly(new ObjectMapper());
    static final int MAX_EXPLAIN_BODY_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final AdminConfig config;
    private final GatewayMetrics metrics;
    private final BooleanSupplier ready;
    private final Upstreams upstreams;
    private final ApprovalEndpoints approvalEndpoints;
    private final AdminUi ui;
    private final Supplier<GatewaySnapshot> snapshots;
    private final HostOriginGuard guard;
    private final AdminAuth auth;
    private final AdminRejects rejects;
    private volatile Supplier<CompletableFuture<ReloadResult>> reloader;
    private HttpServer server;

    public AdminServer(Vertx vertx, AdminConfig config, GatewayMetrics metrics, BooleanSupplier ready, Supplier<GatewaySnapshot> snapshots,
                       Upstreams upstreams, dev.tollgate.gateway.approval.Approvals approvals, RecentDecisions recent) {
        this.upstreams = upstreams;
        this.ui = new AdminUi(snapshots, upstreams, recent == null ? new RecentDecisions() : recent);
        this.approvalEndpoints = new ApprovalEndpoints(approvals);
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.ready = ready;
        this.snapshots = snapshots;
        this.guard = new HostOriginGuard(config.asGuardedListener());
        this.auth = new AdminAuth(config);
        this.rejects = new AdminRejects(metrics.registry());
    }

    /** Enables {@code POST /reload}; without a reloader it answers 404 (configuration not from a file). */
    public void reloader(Supplier<CompletableFuture<ReloadResult>> reloader) {
        this.reloader = reloader;
    }

    public Future<Integer> start() {
        if (config.token() == null) {
            LOG.warn(config.boundToLoopback()
                    ? "admin.token is not set: POST /explain and POST /reload are open to every local process on {}:{}"
                    : "admin.token is not set and the admin listener binds {}:{} (not loopback): POST /explain and POST /reload are refused",
                    config.host(), config.port());
        }
        server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
                .requestHandler(this::handle);
        return server.listen().map(HttpServer::actualPort);
    }

    private void handle(HttpServerRequest request) {
        switch (request.path()) {
            // Exempt from the Host check: Kubernetes and Docker probes send Host: <pod-ip>:<port>, which changes
            // with every pod, and "UP"/"READY" tells a rebinding page nothing.
            case "/healthz" -> json(request, 200, "{\"status\":\"UP\"}");
            case "/readyz" -> readiness(request);
            default -> guarded(request);
        }
    }

    /**
     * Ready while the listeners are bound, the gateway is not shutting down, and every route with a health check has
     * at least one instance its probes call healthy (the body names the routes that have none).
     */
    private void readiness(HttpServerRequest request) {
        if (!ready.getAsBoolean()) {
            json(request, 503, "{\"status\":\"NOT_READY\"}");
            return;
        }
        Map<String, Integer> down = upstreams == null ? Map.of() : upstreams.routesWithoutHealthyInstance(snapshots.get().routes().routes());
        if (down.isEmpty()) {
            json(request, 200, "{\"status\":\"READY\"}");
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("status", "NOT_READY");
        ObjectNode routes = body.putObject("routes_without_healthy_upstream");
        down.forEach((route, instances) -> routes.put(route, instances + " instance(s), none healthy"));
        json(request, 503, body.toString());
    }

    private void guarded(HttpServerRequest request) {
        String host = request.authority() == null ? null : request.authority().toString();
        switch (guard.check(host, request.getHeader(HttpHeaders.ORIGIN))) {
            case FORBIDDEN_HOST -> rejects.respond(request, AdminReject.FORBIDDEN_HOST);
            case FORBIDDEN_ORIGIN -> rejects.respond(request, AdminReject.FORBIDDEN_ORIGIN);
            case ALLOWED -> route(request);
        }
    }

    private void route(HttpServerRequest request) {
        if (request.path().equals(ApprovalEndpoints.PREFIX) || request.path().startsWith(ApprovalEndpoints.PREFIX + "/")) {
            auth.checkRequiringToken(request.headers().getAll(HttpHeaders.AUTHORIZATION))
                    .ifPresentOrElse(reject -> rejects.respond(request, reject), () -> approvalEndpoints.handle(request));
            return;
        }
        switch (request.path()) {
            // No token: Prometheus scrapes a private port unauthenticated, and counters reveal no policy.
            case "/metrics" -> request.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape());
            case "/explain" -> authorized(request, this::explain);
            case "/reload" -> authorized(request, this::reload);
            case "/admin/config" -> authorized(request, r -> json(r, 200, snapshots.get().live().toJson().toString()));
            // The page is an empty shell (no data, no token): the reads it makes carry the admin token.
            case "/ui", "/ui/" -> ui.page(request);
            case "/ui/app.js" -> ui.script(request);
            case "/admin/routes" -> authorized(request, ui::routes);
            // Recent calls hold arguments (redacted): the token even on loopback, as for approvals.
            case "/admin/decisions" -> auth.checkRequiringToken(request.headers().getAll(HttpHeaders.AUTHORIZATION))
                    .ifPresentOrElse(reject -> rejects.respond(request, reject), () -> ui.decisions(request));
            default -> json(request, 404, "{\"error\":\"not found\",\"endpoints\":[\"/healthz\",\"/readyz\",\"/metrics\",\"/explain\",\"/reload\",\"/admin/config\",\"/approvals\",\"/ui\",\"/admin/routes\",\"/admin/decisions\"]}");
        }
    }

    /** Explain reveals the policy and reload changes state: both need the token, checked before any body is read. */
    private void authorized(HttpServerRequest request, java.util.function.Consumer<HttpServerRequest> endpoint) {
        auth.check(request.headers().getAll(HttpHeaders.AUTHORIZATION))
                .ifPresentOrElse(reject -> rejects.respond(request, reject), () -> endpoint.accept(request));
    }

    private void explain(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            json(request, 405, "{\"error\":\"POST a JSON call description\"}");
            return;
        }
        BoundedBody.read(request, MAX_EXPLAIN_BODY_BYTES).onSuccess(body -> {
            try {
                JsonNode input = JSON.readTree(body.getBytes());
                json(request, 200, ExplainRequest.toJson(ExplainRequest.explain(snapshots.get(), input)).toString());
            } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
                ObjectNode error = JSON.createObjectNode().put("error", e.getMessage());
                json(request, 400, error.toString());
            } catch (RuntimeException unforeseen) {
                // A description no check above foresaw: answered, never left hanging (its cause is the operator's to read).
                LOG.warn("explain failed on a call description it could not evaluate", unforeseen);
                json(request, 500, JSON.createObjectNode().put("error", "explain could not evaluate this call description ("
                        + unforeseen.getClass().getSimpleName() + "); the gateway's log has the cause").toString());
            }
        }).onFailure(failure -> {
            if (failure instanceof BoundedBody.TooLarge) {
                rejects.respond(request, AdminReject.BODY_TOO_LARGE);
            }
            // Anything else: the client went away mid-body, there is no one to answer.
        });
    }

    private void reload(HttpServerRequest request) {
        Supplier<CompletableFuture<ReloadResult>> current = reloader;
        if (current == null || request.method() != HttpMethod.POST) {
            json(request, current == null ? 404 : 405, "{\"error\":\"POST /reload reloads the configuration file\"}");
            return;
        }
        Context context = vertx.getOrCreateContext();
        // The reload reads files on the reload thread; the answer is written back on this event loop.
        current.get().whenComplete((result, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                json(request, 500, JSON.createObjectNode().put("error", failure.toString()).toString());
                return;
            }
            ObjectNode out = JSON.createObjectNode().put("applied", result.applied());
            result.problems().forEach(out.putArray("problems")::add);
            result.needRestart().forEach(out.putArray("needRestart")::add);
            json(request, result.applied() ? 200 : 422, out.toString());
        }));
    }

    private static void json(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
