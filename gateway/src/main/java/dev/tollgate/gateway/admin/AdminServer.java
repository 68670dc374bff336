package dev.tollgate.gateway.admin;

import dev.tollgate.gateway.config.AdminConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;

/**
 * The operator port: {@code /healthz} (the process is alive), {@code /readyz} (listeners bound and not
 * shutting down: safe to send traffic) and {@code /metrics} (Prometheus). Kept off the traffic listeners
 * so it can be firewalled separately and never matches a route.
 */
public final class AdminServer {

    private final Vertx vertx;
    private final AdminConfig config;
    private final GatewayMetrics metrics;
    private final BooleanSupplier ready;
    private HttpServer server;

    public AdminServer(Vertx vertx, AdminConfig config, GatewayMetrics metrics, BooleanSupplier ready) {
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.ready = ready;
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
            default -> json(request, 404, "{\"error\":\"not found\",\"endpoints\":[\"/healthz\",\"/readyz\",\"/metrics\"]}");
        }
    }

    private static void json(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
