package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.config.RouteConfig;
import java.util.Comparator;
import java.util.List;

/** Selects a route by the longest path prefix that matches at a segment boundary. */
public final class RouteTable {

    private final List<Route> byLongestPrefix;

    public RouteTable(List<RouteConfig> routes) {
        this.byLongestPrefix = routes.stream()
                .map(Route::of)
                .sorted(Comparator.comparingInt((Route r) -> r.config().path().length()).reversed())
                .toList();
    }

    public List<Route> routes() {
        return byLongestPrefix;
    }

    /** @return the match, or null when no route's prefix covers the path */
    public RouteMatch match(String path, String rawQuery) {
        for (Route route : byLongestPrefix) {
            String prefix = route.config().path();
            if (prefix.equals("/")) {
                return new RouteMatch(route, path, rawQuery);
            }
            if (path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                return new RouteMatch(route, path.substring(prefix.length()), rawQuery);
            }
        }
        return null;
    }
}
