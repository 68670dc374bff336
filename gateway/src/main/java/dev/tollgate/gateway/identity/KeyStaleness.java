package dev.tollgate.gateway.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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

    void fetched() {
        lastFetched.set(clock.instant());
        if (dropped.compareAndSet(true, false)) {
            LOG.warn("{}: fetched again, tokens are verified again", what);
        }
    }

    /** True when the keys must be dropped now: no fetch succeeded for longer than the bound. */
    boolean expired() {
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
