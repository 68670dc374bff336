package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.config.RouteConfig;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;

/**
 * The upstream endpoints a route reaches, each as its origin (host spelled one way, see {@link TaskScopes}) and path:
 * what tells one MCP server from another. Task bindings are shared by origin (one server may mount its API twice), but
 * tool definitions are not: two servers behind one hub, at {@code /a/mcp} and {@code /b/mcp}, share an origin and list
 * different tools under the same names (review AF).
 */
public final class ServerEndpoints {

    private ServerEndpoints() {
    }

    public static Set<String> of(RouteConfig route) {
        Set<String> endpoints = new HashSet<>();
        if (route.upstreams() != null) {
            for (var endpoint : route.upstreams().endpoints()) {
                URI url = endpoint.url();
                String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
                endpoints.add(TaskScopes.origin(url) + path);
            }
        }
        return endpoints;
    }
}
