package dev.tollgate.gateway.config;

/**
 * Where the token buckets of {@code rate_limit} checks live.
 *
 * @param store local: per gateway instance (N replicas allow N times the rate); redis: shared by all replicas
 * @param maxLocalBuckets with the local store, the most buckets held at once: a bucket is kept until it is full
 *                        again, and a call that needs a new one past this is denied (fail closed), since a key can
 *                        follow what callers choose ({@code per: tool})
 * @param maxBucketsPerOwner with the local store, the most buckets one caller holds in one rule keyed by what the call
 *                           names (tool, method, route)
 */
public record RateLimitConfig(Store store, int maxLocalBuckets, int maxBucketsPerOwner) {

    public enum Store { LOCAL, REDIS }

    public static final int DEFAULT_MAX_LOCAL_BUCKETS = 200_000;
    public static final int DEFAULT_MAX_BUCKETS_PER_OWNER = 1_000;

    public static final RateLimitConfig DEFAULT = new RateLimitConfig(Store.LOCAL, DEFAULT_MAX_LOCAL_BUCKETS, DEFAULT_MAX_BUCKETS_PER_OWNER);
}
