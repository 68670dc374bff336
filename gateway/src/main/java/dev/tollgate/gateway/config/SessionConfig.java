package dev.tollgate.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * How the gateway seals the MCP 2025-11-25 session ids it hands clients (see {@code SealedSessions}).
 *
 * @param keys   sealing keys, newest first: the first seals, every one opens (rotation keeps the old key
 *               listed for a grace period); empty means a key generated at start, for one process only
 * @param maxAge how long after it was issued a sealed id is accepted
 */
public record SessionConfig(List<Key> keys, Duration maxAge) {

    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    public static final SessionConfig DEFAULT = new SessionConfig(List.of(), DEFAULT_MAX_AGE);

    /** A named AES-256 key; the name travels (hashed) in every id it seals, so the right key opens it. */
    public record Key(String id, byte[] secret) {
    }

    public SessionConfig {
        keys = List.copyOf(keys);
    }
}
