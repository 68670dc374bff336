package dev.tollgate.gateway.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tollgate.gateway.config.RateLimitConfig;
import dev.tollgate.gateway.limits.TenantReserve;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Token buckets in this process, shared by its event loops. A bucket refills continuously (no timer: the
 * refill since the last take is computed on the next take) and is forgotten once it would be full again, as
 * {@link RedisRateLimiter}'s keys expire: a forgotten bucket and a new one are then the same bucket. (They were
 * forgotten after an hour unused, which gave a slow bucket, AGT's max calls per run as one call a day, its whole
 * burst back after an hour.)
 *
 * <p>A bucket's key can follow what the call names ({@code per: tool}, {@code per: method}), and identity values
 * ({@code per: [tenant, run]}) follow what a tenant's own agents vary with every user and run, so the table is bounded
 * three ways: each owner (the rule and the caller, see RateLimitCheck#caller) of a rule keyed by what the call names
 * holds at most {@code rate-limits.max-buckets-per-owner}, so one caller naming new tools fills only its own share;
 * each tenant (RateLimitCheck#tenant: the AXID tenant, else SPIFFE ID, else OAuth subject), every rule together, at most
 * {@code rate-limits.max-buckets-per-tenant}; and all tenants together {@code rate-limits.max-local-buckets}, past which
 * only a tenant within one owner's share is admitted, from a reserve as large as what the others hold beyond one owner's
 * share each (at most a quarter of the table: {@link TenantReserve}; review AG: one tenant's sub-users or runs filled
 * the table and every other tenant was refused). A bucket that is not yet full is never evicted to make room (that
 * would hand its caller a fresh burst): past a bound a call that needs a new bucket is refused, fail closed, until
 * buckets refill and are dropped. Counts drop when Caffeine reports the removal (on its executor, within about a
 * second), so a bucket that has just refilled may still count for that long.
 */
public final class LocalTokenBuckets implements RateLimiter {

    private final Cache<String, Bucket> buckets;
    /**
     * The buckets each owner holds, by key; an owner with none has no entry. Kept apart from the cache because the
     * cache hides an expired entry: a bucket replaced after it refilled is found here under its key and counts once,
     * and the removal notice of the old one (later, on the executor) removes only that bucket.
     */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Bucket>> owners = new ConcurrentHashMap<>();
    /** Buckets each tenant holds, every rule together; a tenant with none has no entry. */
    private final ConcurrentHashMap<String, Integer> tenants = new ConcurrentHashMap<>();
    /** Buckets held, every owner together: the table's bound. */
    private final AtomicLong held = new AtomicLong();
    /** Buckets tenants hold beyond one owner's share each, summed: how far the reserve may open for the others. */
    private final AtomicLong borrowed = new AtomicLong();
    private final LongSupplier nanoTime;
    private final long maxBuckets;
    private final int maxPerOwner;
    private final int maxPerTenant;

    public LocalTokenBuckets(RateLimitConfig config) {
        this(System::nanoTime, config.maxLocalBuckets(), config.maxBucketsPerOwner(), config.maxBucketsPerTenant(), ForkJoinPool.commonPool());
    }

    /** No tenant share beyond the table's (tests). */
    LocalTokenBuckets(LongSupplier nanoTime, long maxBuckets, int maxPerOwner, Executor executor) {
        this(nanoTime, maxBuckets, maxPerOwner, (int) Math.min(Integer.MAX_VALUE, maxBuckets), executor);
    }

    /** @param executor where Caffeine runs its maintenance and removal notices (tests: the calling thread) */
    LocalTokenBuckets(LongSupplier nanoTime, long maxBuckets, int maxPerOwner, int maxPerTenant, Executor executor) {
        this.nanoTime = nanoTime;
        this.maxBuckets = maxBuckets;
        this.maxPerOwner = maxPerOwner;
        this.maxPerTenant = maxPerTenant;
        // Expired (full) buckets are dropped on the system scheduler's thread even when no call comes to trigger it.
        this.buckets = Caffeine.newBuilder().ticker(nanoTime::getAsLong).expireAfter(new UntilFull())
                .scheduler(Scheduler.systemScheduler())
                .executor(executor)
                .removalListener((String key, Bucket bucket, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (key != null && bucket != null) {
                        forget(key, bucket);
                    }
                })
                .build();
    }

    @Override
    public Future<Boolean> tryTake(String tenant, String owner, String key, double perSecond, long burst) {
        Take take = new Take();
        // Atomic per key: an entry that expired (full again) is replaced, and the expiry is computed after the take.
        buckets.asMap().compute(key, (k, bucket) -> {
            if (bucket == null) {
                bucket = new Bucket(tenant, owner, perSecond, burst, nanoTime.getAsLong());
                take.full = admit(owner, k, bucket);
                if (take.full != null) {
                    return null;
                }
            }
            take.taken = bucket.tryTake(perSecond, burst, nanoTime.getAsLong());
            return bucket;
        });
        if (take.full != null) {
            return Future.failedFuture(take.full);
        }
        return Future.succeededFuture(take.taken);
    }

    /**
     * Records a new bucket under its owner and tenant, or says why not: the owner or the tenant holds its share, or the
     * table is full for this tenant. A key the owner still holds (its bucket refilled, expired, and not yet cleaned up) is
     * a replacement and counts once.
     */
    private TableFull admit(String owner, String key, Bucket bucket) {
        TableFull[] refused = {null};
        owners.compute(owner, (o, keys) -> {
            ConcurrentHashMap<String, Bucket> mine = keys == null ? new ConcurrentHashMap<>() : keys;
            Bucket replaced = mine.get(key);
            if (replaced != null) {
                // Counted once, against the tenant it was counted against (a key without the tenant, per: run, can be shared).
                bucket.tenant = replaced.tenant;
                mine.put(key, bucket);
            } else if (mine.size() >= maxPerOwner) {
                refused[0] = new TableFull("rate-limit buckets of " + owner + " full: " + maxPerOwner
                        + " are still refilling (rate-limits.max-buckets-per-owner)");
            } else {
                refused[0] = admitForTenant(bucket.tenant);
                if (refused[0] == null) {
                    mine.put(key, bucket);
                }
            }
            return mine.isEmpty() ? null : mine;
        });
        return refused[0];
    }

    /** Counts a new bucket against its tenant and the table, or says why not (atomic per tenant). */
    private TableFull admitForTenant(String tenant) {
        TableFull[] refused = {null};
        tenants.compute(tenant, (t, count) -> {
            int mine = count == null ? 0 : count;
            // The table first: a tenant refused for lack of room is told so, not that its own share is full.
            if (!TenantReserve.admits(held.get(), maxBuckets, mine, maxPerOwner, borrowed.get() - TenantReserve.borrowed(mine, maxPerOwner))) {
                refused[0] = new TableFull("rate-limit table full: " + maxBuckets + " buckets are still refilling (rate-limits.max-local-buckets)");
            } else if (mine >= maxPerTenant) {
                refused[0] = new TableFull("rate-limit buckets of " + tenant + " full: " + maxPerTenant
                        + " are still refilling (rate-limits.max-buckets-per-tenant)");
            } else {
                held.incrementAndGet();
                if (mine + 1 > maxPerOwner) {
                    borrowed.incrementAndGet();
                }
                return mine + 1;
            }
            return count;
        });
        return refused[0];
    }

    /** A bucket stopped counting: its tenant holds one fewer. */
    private void releaseForTenant(String tenant) {
        tenants.computeIfPresent(tenant, (t, count) -> {
            held.decrementAndGet();
            if (count > maxPerOwner) {
                borrowed.decrementAndGet();
            }
            return count == 1 ? null : count - 1;
        });
    }

    /** A bucket left the cache (refilled): it stops counting, unless its key already holds a newer bucket. */
    private void forget(String key, Bucket bucket) {
        owners.computeIfPresent(bucket.owner, (o, mine) -> {
            if (mine.remove(key, bucket)) {
                releaseForTenant(bucket.tenant);
            }
            return mine.isEmpty() ? null : mine;
        });
    }

    /** Refused rather than forgetting a bucket that is not full yet. */
    static final class TableFull extends IllegalStateException {
        TableFull(String message) {
            super(message);
        }
    }

    private static final class Take {
        boolean taken;
        TableFull full;
    }

    /** How many buckets are held (tests). */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    /** How many buckets the owner holds, as counted for its share (tests). */
    int heldBy(String owner) {
        buckets.cleanUp();
        ConcurrentHashMap<String, Bucket> mine = owners.get(owner);
        return mine == null ? 0 : mine.size();
    }

    /** An entry lives until its bucket would be full again. */
    private static final class UntilFull implements Expiry<String, Bucket> {
        @Override
        public long expireAfterCreate(String key, Bucket bucket, long now) {
            return bucket.nanosUntilFull(now);
        }

        @Override
        public long expireAfterUpdate(String key, Bucket bucket, long now, long currentDuration) {
            return bucket.nanosUntilFull(now);
        }

        @Override
        public long expireAfterRead(String key, Bucket bucket, long now, long currentDuration) {
            return currentDuration;
        }
    }

    /** How many buckets the tenant holds, every rule together (tests). */
    int heldByTenant(String tenant) {
        buckets.cleanUp();
        Integer count = tenants.get(tenant);
        return count == null ? 0 : count;
    }

    private static final class Bucket {
        /** Whose count it is in; set before the bucket is published (inside the owners' compute), read after. */
        private volatile String tenant;
        private final String owner;
        private double tokens;
        private long updatedNanos;
        private double perSecond;
        private long burst;

        Bucket(String tenant, String owner, double perSecond, long burst, long now) {
            this.tenant = tenant;
            this.owner = owner;
            this.tokens = burst;
            this.updatedNanos = now;
            this.perSecond = perSecond;
            this.burst = burst;
        }

        synchronized boolean tryTake(double perSecond, long burst, long now) {
            // The rule's rate and burst as of this call (a reload may have changed them).
            this.perSecond = perSecond;
            this.burst = burst;
            tokens = Math.min(burst, tokens + (now - updatedNanos) * perSecond / 1e9);
            updatedNanos = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        /** Nanoseconds from now until the refill brings it back to its burst; at least one, so it is kept until then. */
        synchronized long nanosUntilFull(long now) {
            double current = Math.min(burst, tokens + (now - updatedNanos) * perSecond / 1e9);
            double nanos = Math.ceil((burst - current) / perSecond * 1e9);
            return nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE / 2 : Math.max(1, (long) nanos);
        }
    }
}
