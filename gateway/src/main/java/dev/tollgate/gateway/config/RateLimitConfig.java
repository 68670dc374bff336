package dev.tollgate.gateway.config;

/**
 * Where the token buckets of {@code rate_limit} checks live.
 *
 * @param store local: per gateway instance (N replicas allow N times the rate); redis: shared by all replicas
 */
public record RateLimitConfig(Store store) {

    public enum Store { LOCAL, REDIS }

    public static final RateLimitConfig DEFAULT = new RateLimitConfig(Store.LOCAL);
}
