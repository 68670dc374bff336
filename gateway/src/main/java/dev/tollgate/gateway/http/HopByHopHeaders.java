package dev.tollgate.gateway.http;

import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Copies headers between the client and upstream legs, dropping the hop-by-hop ones (RFC 9110 §7.6.1)
 * and any header the {@code Connection} header names: they describe one connection, not the message.
 */
public final class HopByHopHeaders {

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHopHeaders() {
    }

    /**
     * Copies end-to-end headers from {@code from} to {@code to}, also skipping the names in {@code alsoSkip}
     * (lower-case), e.g. Host and Content-Length, which the gateway sets itself.
     */
    public static void copyEndToEnd(MultiMap from, MultiMap to, Set<String> alsoSkip) {
        // Every Connection line counts: a second line naming a header must strip it as surely as the first.
        Set<String> named = connectionNamed(String.join(",", from.getAll("connection")));
        from.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !alsoSkip.contains(lower) && !named.contains(lower)) {
                to.add(name, value);
            }
        });
    }

    /** The names a Connection header lists, lower-cased (per call: a loop, not a stream pipeline). */
    private static Set<String> connectionNamed(String connection) {
        if (connection == null) {
            return Set.of();
        }
        Set<String> named = null;
        int start = 0;
        while (start <= connection.length()) {
            int comma = connection.indexOf(',', start);
            int end = comma < 0 ? connection.length() : comma;
            String name = connection.substring(start, end).trim();
            if (!name.isEmpty()) {
                if (named == null) {
                    named = new HashSet<>(4);
                }
                named.add(name.toLowerCase(Locale.ROOT));
            }
            start = end + 1;
        }
        return named == null ? Set.of() : named;
    }
}
