package dev.tollgate.gateway.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Copies headers between the client and upstream legs, dropping the hop-by-hop ones (RFC 9110 §7.6.1)
 * and any header the {@code Connection} header names: they describe one connection, not the message.
 */
public final class HopByHopHeaders {

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    /**
     * The names one copy leaves out, hop-by-hop ones included, looked up without regard to case. Held in a Vert.x
     * header map, whose lookup folds case as it hashes: no lower-cased copy of every header name on every call.
     * Built once and only read afterwards, so one instance serves every event loop.
     */
    public static final class Skipped {
        private final MultiMap names = HttpHeaders.headers();

        private Skipped(Set<String> alsoSkip) {
            HOP_BY_HOP.forEach(name -> names.add(name, ""));
            alsoSkip.forEach(name -> names.add(name, ""));
        }

        boolean contains(String name) {
            return names.contains(name);
        }
    }

    private HopByHopHeaders() {
    }

    /** The hop-by-hop headers and {@code alsoSkip} (e.g. Host and Content-Length, which the gateway sets itself). */
    public static Skipped skipping(Set<String> alsoSkip) {
        return new Skipped(alsoSkip);
    }

    /** Copies end-to-end headers from {@code from} to {@code to}, leaving out {@code skipped} and what Connection names. */
    public static void copyEndToEnd(MultiMap from, MultiMap to, Skipped skipped) {
        // Every Connection line counts: a second line naming a header must strip it as surely as the first.
        Set<String> named = from.contains(HttpHeaders.CONNECTION) ? connectionNamed(from.getAll(HttpHeaders.CONNECTION), skipped) : Set.of();
        from.forEach((name, value) -> {
            if (!skipped.contains(name) && (named.isEmpty() || !named.contains(name.toLowerCase(Locale.ROOT)))) {
                to.add(name, value);
            }
        });
    }

    /**
     * The names the Connection lines list that a copy would not leave out anyway, lower-cased. Nearly every peer
     * sends {@code Connection: keep-alive}, which names a hop-by-hop header: the common answer is empty, and then no
     * header name is lower-cased. Otherwise a hash set, so that a line listing thousands of names costs one lookup
     * per header, not a comparison with every name.
     */
    private static Set<String> connectionNamed(List<String> lines, Skipped skipped) {
        Set<String> named = null;
        for (String connection : lines) {
            int start = 0;
            while (start <= connection.length()) {
                int comma = connection.indexOf(',', start);
                int end = comma < 0 ? connection.length() : comma;
                String name = connection.substring(start, end).trim();
                if (!name.isEmpty() && !skipped.contains(name)) {
                    if (named == null) {
                        named = new HashSet<>(4);
                    }
                    named.add(name.toLowerCase(Locale.ROOT));
                }
                start = end + 1;
            }
        }
        return named == null ? Set.of() : named;
    }
}
