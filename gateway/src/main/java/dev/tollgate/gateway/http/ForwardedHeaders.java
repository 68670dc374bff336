package dev.tollgate.gateway.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The headers that tell an upstream who called and how, written by the gateway alone. The gateway is where
 * the caller is identified, so anything a client says about itself in these headers is a claim an upstream
 * might trust (an allow-list by {@code X-Forwarded-For}, a client certificate in {@code X-Forwarded-Client-Cert}):
 * every such header the client sent is removed, and {@code X-Forwarded-For/-Proto/-Host} are set from the
 * connection the gateway terminated.
 */
public final class ForwardedHeaders {

    /** Client-supplied forwarding and client-identity headers, never relayed (compared case-insensitively). */
    static final List<String> CLIENT_CLAIMS = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
            "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Client-Cert", "X-Real-IP", "X-Client-IP", "Client-Cert",
            "Client-Cert-Chain", "X-Client-Cert", "X-SSL-Client-Cert", "X-Original-Forwarded-For");

    private ForwardedHeaders() {
    }

    /**
     * {@code skip} plus the client claims, lower-case, for a header copy that leaves them out: cheaper on every
     * call than copying them and removing 14 names from the upstream request afterwards.
     */
    public static Set<String> skippingClientClaims(Set<String> skip) {
        Set<String> all = new HashSet<>(skip);
        CLIENT_CLAIMS.forEach(name -> all.add(name.toLowerCase(Locale.ROOT)));
        return Set.copyOf(all);
    }

    /**
     * Replaces whatever the client said about the connection with what the gateway saw: the upstream headers
     * were copied without the client claims ({@link #skippingClientClaims}), and the gateway's own are set.
     */
    public static void set(HttpServerRequest inbound, MultiMap upstreamHeaders) {
        if (inbound.remoteAddress() != null) {
            upstreamHeaders.set("X-Forwarded-For", inbound.remoteAddress().hostAddress());
        }
        upstreamHeaders.set("X-Forwarded-Proto", inbound.isSSL() ? "https" : "http");
        if (inbound.authority() != null) {
            upstreamHeaders.set("X-Forwarded-Host", inbound.authority().toString());
        }
    }
}
