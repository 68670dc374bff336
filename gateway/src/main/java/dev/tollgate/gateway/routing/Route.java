package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.policy.condition.Glob;
import java.util.List;

/**
 * A configured route with its SPIFFE ID patterns compiled: the immutable, per-snapshot form of a
 * {@link RouteConfig}. Its upstream instances and their state are in {@code Upstreams}.
 */
public record Route(RouteConfig config, List<Glob> allowedSpiffeIds) {

    public static Route of(RouteConfig config) {
        return new Route(config, config.allowedSpiffeIds().stream().map(Glob::path).toList());
    }

    public String name() {
        return config.name();
    }
}
