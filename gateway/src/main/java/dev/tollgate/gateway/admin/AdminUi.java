package dev.tollgate.gateway.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.upstream.UpstreamInstance;
import dev.tollgate.gateway.upstream.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The admin web page ({@code GET /ui}) and the two reads it needs beyond the existing endpoints: {@code GET
 * /admin/routes} (routes, their instances and health) and {@code GET /admin/decisions?after=N} (the last decisions,
 * polled). The page itself is a static file with no data in it; every read it makes carries the admin token the
 * operator gives it (kept in the tab's session storage, or passed as {@code #token=...}, which never reaches a server).
 */
final class AdminUi {

    private static final Buffer PAGE = load("/admin-ui/index.html");
    private static final Buffer SCRIPT = load("/admin-ui/app.js");
    /** The page runs only its own script file and talks only to this admin port. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self';"
            + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Supplier<GatewaySnapshot> snapshots;
    private final Upstreams upstreams;
    private final RecentDecisions recent;

    AdminUi(Supplier<GatewaySnapshot> snapshots, Upstreams upstreams, RecentDecisions recent) {
        this.snapshots = snapshots;
        this.upstreams = upstreams;
        this.recent = recent;
    }

    void page(HttpServerRequest request) {
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(PAGE);
    }

    void script(HttpServerRequest request) {
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/javascript; charset=utf-8").putHeader("X-Content-Type-Options", "nosniff")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(SCRIPT);
    }

    void routes(HttpServerRequest request) {
        ArrayNode routes = JsonNodeFactory.instance.arrayNode();
        for (Route route : snapshots.get().routes().routes()) {
            RouteConfig config = route.config();
            ObjectNode r = routes.addObject().put("name", config.name()).put("path", config.path()).put("protocol", config.protocol().yamlName());
            if (config.policy() != null) {
                r.put("policy", config.policy());
            }
            r.put("health_check", config.upstreams().healthCheck() != null);
            r.put("oauth", config.oauth() != null);
            ArrayNode instances = r.putArray("upstreams");
            for (UpstreamInstance instance : upstreams == null ? java.util.List.<UpstreamInstance>of() : upstreams.of(route).instances()) {
                instances.addObject().put("url", instance.url()).put("healthy", instance.healthy()).put("in_flight", instance.inFlight())
                        .put("ejections", instance.ejections());
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("config_hash", snapshots.get().live().hash());
        out.set("routes", routes);
        json(request, out);
    }

    void decisions(HttpServerRequest request) {
        long after;
        try {
            after = request.getParam("after") == null ? 0 : Long.parseLong(request.getParam("after"));
        } catch (NumberFormatException e) {
            request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\"error\":\"after is the seq of the last decision seen\"}");
            return;
        }
        json(request, recent.since(after, 200));
    }

    private static void json(HttpServerRequest request, ObjectNode body) {
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.toString());
    }

    private static Buffer load(String resource) {
        try (InputStream in = AdminUi.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
