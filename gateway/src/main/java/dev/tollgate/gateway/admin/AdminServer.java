package dev.tollgate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AdminConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
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

/**
 * The operator port: {@code /healthz} (alive), {@code /readyz} (listeners bound, not shutting down),
 * {@code /metrics} (Prometheus), {@code POST /explain} (why a call is allowed or denied) and
 * {@code POST /reload} (reload now). Kept off the traffic listeners so it can be firewalled separately and
 * never matches a route.
 */
public final class AdminServer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_EXPLAIN_BODY_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final AdminConfig config;
    private final GatewayMetrics metrics;
    private final BooleanSupplier ready;
    private final Supplier<GatewaySnapshot> snapshots;
    private volatile Supplier<CompletableFuture<ReloadResult>> reloader;
    private HttpServer server;

    public AdminServer(Vertx vertx, AdminConfig config, GatewayMetrics metrics, BooleanSupplier ready, Supplier<GatewaySnapshot> snapshots) {
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.ready = ready;
        this.snapshots = snapshots;
    }

    /** Enables {@code POST /reload}; without a reloader it answers 404 (configuration not from a file). */
    public void reloader(Supplier<CompletableFuture<ReloadResult>> reloader) {
        this.reloader = reloader;
    }

    public Future<Integer> start() {
        server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
                .requestHandler(this::handle);
        return server.listen().map(HttpServer::actualPort);
    }

    private void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/healthz" -> json(request, 200, "{\"status\":\"UP\"}");
            case "/readyz" -> {
                boolean isReady = ready.getAsBoolean();
                json(request, isReady ? 200 : 503, isReady ? "{\"status\":\"READY\"}" : "{\"status\":\"NOT_READY\"}");
            }
            case "/metrics" -> request.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape());
            case "/explain" -> explain(request);
            case "/reload" -> reload(request);
            default -> json(request, 404, "{\"error\":\"not found\",\"endpoints\":[\"/healthz\",\"/readyz\",\"/metrics\",\"/explain\",\"/reload\"]}");
        }
    }

    private void explain(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            json(request, 405, "{\"error\":\"POST a JSON call description\"}");
            return;
        }
        request.body().onSuccess(body -> {
            if (body.length() > MAX_EXPLAIN_BODY_BYTES) {
                json(request, 413, "{\"error\":\"body too large\"}");
                return;
            }
            try {
                JsonNode input = JSON.readTree(body.getBytes());
                json(request, 200, ExplainRequest.toJson(ExplainRequest.explain(snapshots.get(), input)).toString());
            } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
                ObjectNode error = JSON.createObjectNode().put("error", e.getMessage());
                json(request, 400, error.toString());
            }
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
