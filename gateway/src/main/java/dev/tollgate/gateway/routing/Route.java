package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.config.RouteConfig;

/** A configured route with its upstream resolved: the immutable, per-snapshot form of a {@link RouteConfig}. */
public record Route(RouteConfig config, UpstreamTarget upstream) {

    public String name() {
        return config.name();
    }
}
