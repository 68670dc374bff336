package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.config.RouteConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * Serves RFC 9728 protected-resource metadata for every route with {@code oauth}: at the path form for the route's
 * resource URL ({@code /.well-known/oauth-protected-resource/mcp}), and at the root form when exactly one route has
 * {@code oauth}. Public, read-only, answered before routing: it names the gateway's own resource URL and the
 * authorization server, so clients get tokens for the gateway rather than for the upstream behind it.
 */
final class ProtectedResourceMetadata {

    static final String PREFIX = "/.well-known/oauth-protected-resource";

    private ProtectedResourceMetadata() {
    }

    static boolean handles(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** @return false when no route's metadata lives at this path (the caller answers 404) */
    static boolean serve(HttpServerRequest request, List<RouteConfig> routes) {
        List<OAuthConfig> protectedRoutes = routes.stream().filter(r -> r.oauth() != null).map(RouteConfig::oauth).toList();
        OAuthConfig match = protectedRoutes.stream().filter(o -> o.metadataPath().equals(request.path())).findFirst()
                .orElse(request.path().equals(PREFIX) && protectedRoutes.size() == 1 ? protectedRoutes.get(0) : null);
        if (match == null) {
            return false;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET").end();
            return true;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("resource", match.resource().toString());
        body.putArray("authorization_servers").add(match.issuer().toString());
        match.scopesSupported().forEach(body.putArray("scopes_supported")::add);
        body.putArray("bearer_methods_supported").add("header");
        body.put("resource_name", "Tollgate");
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CACHE_CONTROL, "max-age=300")
                // MCP clients in browsers read it cross-origin; it holds nothing private.
                .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .end(body.toString());
        return true;
    }
}
