package dev.tollgate.gateway.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long keys fetched from a JWKS URL stay trusted while every fetch fails ({@code jwks-max-stale}). Keeping the
 * last keys through a failed fetch keeps the gateway serving through a short outage of the key server; bounding it
 * keeps whoever can block the fetch from keeping a withdrawn key trusted for good. Read on the refresh timer's
 * thread, never per call.
 */
final class KeyStaleness {

    private static final Logger LOG = LoggerFactory.getLogger(KeyStaleness.class);

    private final String what;
    private final Duration maxStale;
    private final Clock clock;
    /** When a fetch last succeeded; null before the first. */
    private final AtomicReference<Instant> lastFetched = new AtomicReference<>();
    /** Whether the keys were dropped since the last fetch that succeeded (logged once, not at every refresh). */
    private final AtomicBoolean dropped = new AtomicBoolean();

    KeyStaleness(String what, Duration maxStale, Clock clock) {
        this.what = what;
        this.maxStale = maxStale;
        this.clock = clock;
    }

    /**
     * One scheduled refresh of {@code keys}: a fetch (waited for, on the refresh timer's thread), then {@code none} in
     * their place if no fetch has succeeded for longer than the bound. Never throws: an exception escaping a scheduled
     * task would cancel every later refresh, and with them the bound.
     */
    <K> void refresh(Supplier<CompletableFuture<Boolean>> fetch, AtomicReference<K> keys, K none) {
        try {
            fetch.get().join();
            K seen = keys.get();
            // A fetch succeeding meanwhile (an unknown kid's) records its time before it sets its keys: they are kept.
            if (expired()) {
                keys.compareAndSet(seen, none);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("{}: refresh failed: {}", what, e.toString());
        }
    }

    void fetched() {
        lastFetched.set(clock.instant());
        if (dropped.compareAndSet(true, false)) {
            LOG.warn("{}: fetched again, tokens are verified again", what);
        }
    }

    /** True when the keys must be dropped now: no fetch succeeded for longer than the bound. */
    private boolean expired() {
        Instant last = lastFetched.get();
        boolean expired = last != null && clock.instant().isAfter(last.plus(maxStale));
        if (expired && dropped.compareAndSet(false, true)) {
            LOG.error("{}: no fetch succeeded since {} (jwks-max-stale {}): keys dropped, every token is refused until a fetch succeeds",
                    what, last, maxStale);
        }
        return expired;
    }

    /** For the failed-fetch warning: "until 2026-12-05T10:00:00Z". */
    String keptUntil() {
        Instant last = lastFetched.get();
        return last == null ? "(none fetched yet)" : "until " + last.plus(maxStale);
    }
}
