package dev.tollgate.gateway.routing;

import java.net.URI;
import java.util.Locale;

/** An upstream URL taken apart once, at load time, into what every forwarded request needs. */
public record UpstreamTarget(String host, int port, boolean tls, String basePath) {

    public static UpstreamTarget of(URI uri) {
        boolean tls = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "" : uri.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new UpstreamTarget(uri.getHost(), port, tls, path);
    }

    /** The upstream request URI for the part of the gateway path after the route prefix, plus the query. */
    public String uriFor(String remainder, String rawQuery) {
        String path = basePath + remainder;
        if (path.isEmpty()) {
            path = "/";
        }
        return rawQuery == null ? path : path + "?" + rawQuery;
    }
}
