package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.config.A2aRouteConfig;
import dev.tollgate.gateway.config.RouteConfig;

/** Where an A2A request sits on its route: the path below the route prefix, and the route's public URL. */
final class A2aRoutes {

    private A2aRoutes() {
    }

    /** The request path below the route prefix: what the path classifier reads, and exactly what is forwarded. */
    static String remainder(Exchange exchange) {
        return exchange.route().remainder();
    }

    /**
     * The URL clients reach this route at: the configured {@code a2a.public-url}, else the request's own
     * scheme and Host (the Host was vetted by the host stage) plus the route prefix.
     */
    static String publicUrl(Exchange exchange) {
        RouteConfig route = exchange.route().route().config();
        A2aRouteConfig a2a = route.a2a();
        if (a2a.publicUrl() != null) {
            return a2a.publicUrl().toString();
        }
        String scheme = exchange.request().isSSL() ? "https" : "http";
        String authority = exchange.request().authority() == null ? "localhost" : exchange.request().authority().toString();
        return scheme + "://" + authority + (route.path().equals("/") ? "" : route.path());
    }
}
