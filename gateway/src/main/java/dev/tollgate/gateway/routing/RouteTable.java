package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.config.RouteConfig;
import java.util.Comparator;
import java.util.List;

/** Selects a route by the longest path prefix that matches at a segment boundary. */
public final class RouteTable {

    private final List<Route> byLongestPrefix;

    public RouteTable(List<RouteConfig> routes) {
        java.util.Map<String, TaskScope> scopes = TaskScopes.of(routes);
        this.byLongestPrefix = routes.stream()
                .map(route -> Route.of(route, scopes.get(route.name())))
                .sorted(Comparator.comparingInt((Route r) -> r.config().path().length()).reversed())
                .toList();
    }

    public List<Route> routes() {
        return byLongestPrefix;
    }

    /** The route of that name, or null when this configuration has none (a loop: routes are few, and few ask). */
    public Route named(String name) {
        for (Route route : byLongestPrefix) {
            if (route.name().equals(name)) {
                return route;
            }
        }
        return null;
    }

    /** @return the match, or null when no route's prefix covers the path */
    public RouteMatch match(String path, String rawQuery) {
        for (Route route : byLongestPrefix) {
            String prefix = route.config().path();
            if (prefix.equals("/")) {
                return new RouteMatch(route, path, rawQuery);
            }
            // Ignoring case: Express routes so by default, and /ADMIN/mcp must not fall to a catch-all route's policy while
            // such an upstream serves it as /admin/mcp. The prefix is not forwarded, so its case never reaches the upstream.
            if (path.regionMatches(true, 0, prefix, 0, prefix.length()) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                return new RouteMatch(route, path.substring(prefix.length()), rawQuery);
            }
        }
        return null;
    }
}
