package dev.tollgate.gateway.budget;

import io.vertx.core.Future;

/** Token buckets keyed by rule and caller: take one token or learn the bucket is empty. */
public interface RateLimiter extends AutoCloseable {

    /**
     * True when a token was taken. Local buckets answer at once; shared ones after a Redis round trip.
     *
     * @param tenant whose share of the store the bucket counts against (TenantKey; see CallFacts#rateLimited)
     * @param owner  who the bucket counts against within a rule keyed by what the call names (see CallFacts#rateLimited)
     */
    Future<Boolean> tryTake(String tenant, String owner, String key, double perSecond, long burst);

    /** As {@link #tryTake(String, String, String, double, long)}, the owner being its own tenant (tests). */
    default Future<Boolean> tryTake(String owner, String key, double perSecond, long burst) {
        return tryTake(owner, owner, key, perSecond, burst);
    }

    @Override
    default void close() {
    }
}
