package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.policy.condition.Glob;
import java.util.List;

/**
 * A configured route with its SPIFFE ID patterns compiled: the immutable, per-snapshot form of a
 * {@link RouteConfig}. Its upstream instances and their state are in {@code Upstreams}.
 *
 * @param taskScope what its task and context bindings are kept under: shared by every route to the same server (see
 *                  {@link TaskScopes}); named by the route's name when it has no upstream
 */
public record Route(RouteConfig config, List<Glob> allowedSpiffeIds, TaskScope taskScope) {

    /** A route that shares its server with no other. */
    public static Route of(RouteConfig config) {
        return of(config, TaskScope.named(config.name()));
    }

    static Route of(RouteConfig config, TaskScope taskScope) {
        return new Route(config, config.allowedSpiffeIds().stream().map(Glob::path).toList(), taskScope);
    }

    public String name() {
        return config.name();
    }
}
