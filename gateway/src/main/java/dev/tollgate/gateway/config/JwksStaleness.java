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

    /** The configured bound (default 24 h); it must leave room for at least one refresh. */
    static Duration read(NodeReader settings, Duration refresh) {
        Duration maxStale = settings.duration(FIELD, AxidConfig.DEFAULT_JWKS_MAX_STALE);
        if (maxStale.compareTo(refresh) <= 0) {
            settings.problemAt(FIELD, "must be longer than the refresh interval (" + refresh + "), or every refresh would drop the keys");
        }
        return maxStale;
    }
}
