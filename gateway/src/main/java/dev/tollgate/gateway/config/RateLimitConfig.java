package dev.tollgate.gateway.config;

/**
 * Where the token buckets of {@code rate_limit} checks live.
 *
 * @param store               local: per gateway instance (N replicas allow N times the rate); redis: shared by all replicas
 * @param maxLocalBuckets     with the local store, the buckets every tenant shares: a bucket is kept until it is full
 *                            again, and past this a call that needs a new one is denied (fail closed), since a key can
 *                            follow what callers choose ({@code per: tool}); except a tenant within one owner's share while
 *                            another tenant holds more, from a reserve (see LocalTokenBuckets)
 * @param maxBucketsPerOwner  with the local store, the most buckets one caller holds in one rule keyed by what the call
 *                            names (tool, method, route)
 * @param maxBucketsPerTenant with the local store, the most buckets one tenant (TenantKey) holds, every rule together
 *                            (default: maxLocalBuckets, so only the reserve keeps one tenant from shutting out the others)
 */
public record RateLimitConfig(Store store, int maxLocalBuckets, int maxBucketsPerOwner, int maxBucketsPerTenant) {

    public enum Store { LOCAL, REDIS }

    public static final int DEFAULT_MAX_LOCAL_BUCKETS = 200_000;
    public static final int DEFAULT_MAX_BUCKETS_PER_OWNER = 1_000;

    public static final RateLimitConfig DEFAULT = new RateLimitConfig(Store.LOCAL, DEFAULT_MAX_LOCAL_BUCKETS, DEFAULT_MAX_BUCKETS_PER_OWNER);

    /** No tenant share beyond the table's. */
    public RateLimitConfig(Store store, int maxLocalBuckets, int maxBucketsPerOwner) {
        this(store, maxLocalBuckets, maxBucketsPerOwner, maxLocalBuckets);
    }
}
