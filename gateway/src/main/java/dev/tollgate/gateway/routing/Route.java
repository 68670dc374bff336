package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.policy.condition.Glob;
import java.util.List;

/**
 * A configured route with its upstream resolved and its SPIFFE ID patterns compiled: the immutable,
 * per-snapshot form of a {@link RouteConfig}.
 */
public record Route(RouteConfig config, UpstreamTarget upstream, List<Glob> allowedSpiffeIds) {

    public static Route of(RouteConfig config) {
        return new Route(config, UpstreamTarget.of(config.upstream()), config.allowedSpiffeIds().stream().map(Glob::path).toList());
    }

    public String name() {
        return config.name();
    }
}
