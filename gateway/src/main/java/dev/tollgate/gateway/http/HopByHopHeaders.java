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
        /** Lower-case, dashed: names whose spelling with '_' for '-' is left out too (empty: none). */
        private final Set<String> underscoreGuarded;
        private final List<String> underscoreGuardedPrefixes;

        private Skipped(Set<String> alsoSkip, Set<String> guarded, List<String> guardedPrefixes) {
            HOP_BY_HOP.forEach(name -> names.add(name, ""));
            alsoSkip.forEach(name -> names.add(name, ""));
            if (guarded.isEmpty() && guardedPrefixes.isEmpty()) {
                underscoreGuarded = Set.of();
            } else {
                Set<String> all = new HashSet<>(HOP_BY_HOP);
                alsoSkip.forEach(name -> all.add(name.toLowerCase(Locale.ROOT)));
                guarded.forEach(name -> all.add(name.toLowerCase(Locale.ROOT)));
                underscoreGuarded = Set.copyOf(all);
            }
            underscoreGuardedPrefixes = guardedPrefixes.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
        }

        boolean contains(String name) {
            return names.contains(name);
        }

        /**
         * Whether {@code name} is the spelling with '_' for '-' of a guarded name ({@code X_Waxell_AXID}). CGI, WSGI and
         * Rack servers (and nginx, Apache and PHP behind them) hand both spellings to the application under one key
         * ({@code HTTP_X_WAXELL_AXID}): forwarded, it would read as the header the gateway stripped or set (review BH).
         * Only names holding a '_' are looked up.
         */
        boolean underscoreSpelling(String name) {
            if (underscoreGuarded.isEmpty() || name.indexOf('_') < 0) {
                return false;
            }
            String dashed = name.replace('_', '-').toLowerCase(Locale.ROOT);
            if (underscoreGuarded.contains(dashed)) {
                return true;
            }
            for (String prefix : underscoreGuardedPrefixes) {
                if (dashed.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }
    }

    private HopByHopHeaders() {
    }

    /** The hop-by-hop headers and {@code alsoSkip} (e.g. Host and Content-Length, which the gateway sets itself). */
    public static Skipped skipping(Set<String> alsoSkip) {
        return new Skipped(alsoSkip, Set.of(), List.of());
    }

    /**
     * As {@link #skipping(Set)}, and also leaving out any header whose name, with '_' read as '-', is a skipped one, one of
     * {@code guarded} (headers the gateway decides on or sets itself) or starts with one of {@code guardedPrefixes}.
     */
    public static Skipped skippingWithUnderscoreSpellings(Set<String> alsoSkip, Set<String> guarded, List<String> guardedPrefixes) {
        return new Skipped(alsoSkip, guarded, guardedPrefixes);
    }

    /** Copies end-to-end headers from {@code from} to {@code to}, leaving out {@code skipped} and what Connection names. */
    public static void copyEndToEnd(MultiMap from, MultiMap to, Skipped skipped) {
        // Every Connection line counts: a second line naming a header must strip it as surely as the first.
        Set<String> named = from.contains(HttpHeaders.CONNECTION) ? connectionNamed(from.getAll(HttpHeaders.CONNECTION), skipped) : Set.of();
        from.forEach((name, value) -> {
            if (!skipped.contains(name) && (named.isEmpty() || !named.contains(name.toLowerCase(Locale.ROOT)))
                    && !skipped.underscoreSpelling(name)) {
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
