package dev.tollgate.gateway.config;

import java.time.Duration;

/**
 * Reads {@code jwks-max-stale}, shared by AXID keys ({@code identity.axid}) and a route's OAuth keys: how long keys
 * fetched from a JWKS URL stay trusted while every refresh fails. A failed fetch keeps the previous keys, so that a
 * short outage of the key server does not stop every call; without a bound, whoever can block the fetch keeps a key
 * the issuer withdrew (compromised, rotated out) trusted forever.
 */
final class JwksStaleness {

    static final String FIELD = "jwks-max-stale";

    private JwksStaleness() {
    }

    /** Longest bound accepted: a year is already "never" for a withdrawn key, and the time arithmetic stays in range. */
    static final Duration LONGEST = Duration.ofDays(365);

    /** The configured bound (default 24 h); it must leave room for at least one refresh, and be at most a year. */
    static Duration read(NodeReader settings, Duration refresh) {
        Duration maxStale = settings.duration(FIELD, AxidConfig.DEFAULT_JWKS_MAX_STALE);
        if (maxStale.compareTo(refresh) <= 0) {
            settings.problemAt(FIELD, "must be longer than the refresh interval (" + refresh + "), or every refresh would drop the keys");
        } else if (maxStale.compareTo(LONGEST) > 0) {
            settings.problemAt(FIELD, "must be at most 8760h (a year)");
        }
        return maxStale;
    }
}
