package dev.tollgate.gateway.budget;

import io.vertx.core.Future;

/** Token buckets keyed by rule and caller: take one token or learn the bucket is empty. */
public interface RateLimiter extends AutoCloseable {

    /**
     * True when a token was taken. Local buckets answer at once; shared ones after a Redis round trip.
     *
     * @param owner who the bucket counts against (see CallFacts#rateLimited)
     */
    Future<Boolean> tryTake(String owner, String key, double perSecond, long burst);

    @Override
    default void close() {
    }
}
