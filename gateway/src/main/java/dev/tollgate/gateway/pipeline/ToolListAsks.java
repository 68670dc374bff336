package dev.tollgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the gateway's own tools lists ({@link ToolListFetch}) settled, so that they cost one list per caller per
 * {@link #INTERVAL}, never one per call: a route and caller listed within it is not listed again for any tool (the
 * list showed what this caller may call; a name it did not show is not asked about, so made-up names cost nothing), a
 * route whose upstream answers lists with an error or without tools (it does not list) is not listed for anyone, and
 * the calls waiting for the same route, caller, session and credentials share the one list in flight. Failures are not
 * remembered: the next call asks again (and is refused again), as its own forwarding would try the upstream again.
 * Process-wide, bounded.
 */
final class ToolListAsks {

    static final Duration INTERVAL = Duration.ofMinutes(1);
    static final long MAX_REMEMBERED = 100_000;

    // Read on every call to a tool no list named (a route that does not list: every call): upkeep on the reading thread, in
    // short amortized steps, not as common-pool tasks that wake a pool thread every few calls (measured on WrittenNames).
    private final Cache<String, Boolean> settled = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).expireAfterWrite(INTERVAL)
            .executor(Runnable::run).build();
    private final Cache<String, Boolean> notListing = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).expireAfterWrite(INTERVAL)
            .executor(Runnable::run).build();
    private final Map<String, Future<ToolListFetch.Outcome>> inFlight = new ConcurrentHashMap<>();

    /** Whether the route's upstream answered a list within the interval as a server that does not list tools does. */
    boolean notListing(String route) {
        return notListing.getIfPresent(route) != null;
    }

    /**
     * Whether a list for this route and caller, sent as {@code sentAs}, would tell nothing new within the interval: an
     * identified caller's list settles the caller; an unidentified one's settles only calls sent alike (same credentials
     * and session), since another token may be shown another list (review CK), yet without any memory every call of such a
     * caller to a tool its list did not show cost a list upstream (review RA: one cheap request, up to 20 pages).
     */
    boolean settled(String route, String caller, String sentAs) {
        return notListing(route) || settled.getIfPresent(settledKey(route, caller, sentAs)) != null;
    }

    /**
     * The list in flight for this route, caller and {@code sentAs}, or a new one from {@code fetch}; what it settles is
     * remembered for the route and caller.
     *
     * @param sentAs what the list is sent under besides the caller (its upstream session, the credentials forwarded), or
     *               null: a list goes in one call's session, to its instance, with its credentials, and its outcome is that
     *               call's (review RA: a list held, refused or gone in session A, or sent with another anonymous client's
     *               token, failed the call of session B, or of the other token, which was never listed itself)
     */
    Future<ToolListFetch.Outcome> ask(String route, String caller, String sentAs, Supplier<Future<ToolListFetch.Outcome>> fetch) {
        String flight = key(route, caller) + sentAsPart(sentAs);
        String settles = settledKey(route, caller, sentAs);
        // The slot is taken with a promise, and the fetch (I/O) started only once it is ours, outside the map's lock: a
        // computeIfAbsent would run it under the lock of the map's bin, blocking other event loops on other keys.
        Promise<ToolListFetch.Outcome> mine = Promise.promise();
        Future<ToolListFetch.Outcome> shared = inFlight.putIfAbsent(flight, mine.future());
        if (shared != null) {
            return shared;
        }
        // Settled before the waiters hear of it (listeners run in order): the next call in the interval is not listed again.
        mine.future().onComplete(ar -> {
            if (ar.succeeded()) {
                settled.put(settles, Boolean.TRUE);
                if (ar.result() instanceof ToolListFetch.Outcome.NotListing) {
                    notListing.put(route, Boolean.TRUE);
                }
            }
            inFlight.remove(flight, mine.future());
        });
        Future<ToolListFetch.Outcome> started;
        try {
            started = fetch.get();
        } catch (RuntimeException e) {
            started = Future.failedFuture(e);
        }
        started.onComplete(mine);
        return mine.future();
    }

    private static String key(String route, String caller) {
        return route + '\u0000' + caller;
    }

    private static String settledKey(String route, String caller, String sentAs) {
        return caller != null ? key(route, caller) : key(route, null) + sentAsPart(sentAs);
    }

    private static String sentAsPart(String sentAs) {
        return sentAs == null ? "\u0000-" : "\u0000s" + sentAs;
    }
}
