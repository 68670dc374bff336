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

    /**
     * How tool pinning tells one server's endpoint from another (what was listed there, which routes are pinning
     * neighbours): without a trailing slash, its path in lower case. The TypeScript SDK's express app serves {@code /mcp},
     * {@code /mcp/} and {@code /MCP} as one (express routes ignore both by default), so a rug pull listed through a route
     * spelled one way counts for a pinning route spelled another (review BC). Two servers that only these tell apart are
     * held against each other's manifests: false alarms, never a miss. Only for pinning: whether a reload moved a route's
     * upstream ({@code UpstreamMoved}, {@code ApprovalRecheck}) still compares the endpoints as spelled.
     */
    public static String sameServer(String endpoint) {
        int slash = endpoint.indexOf('/', endpoint.indexOf("//") + 2);
        if (slash < 0) {
            return endpoint;
        }
        String path = endpoint.substring(slash).toLowerCase(java.util.Locale.ROOT);
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return endpoint.substring(0, slash) + path;
    }
}
