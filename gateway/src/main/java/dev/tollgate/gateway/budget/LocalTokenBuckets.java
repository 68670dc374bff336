package dev.tollgate.gateway.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.LongSupplier;

/**
 * Token buckets in this process, shared by its event loops. A bucket refills continuously (no timer: the
 * refill since the last take is computed on the next take) and is forgotten once it would be full again, as
 * {@link RedisRateLimiter}'s keys expire: a forgotten bucket and a new one are then the same bucket. (They were
 * forgotten after an hour unused, which gave a slow bucket, AGT's max calls per run as one call a day, its whole
 * burst back after an hour.)
 *
 * <p>A bucket's key can follow what the call names ({@code per: tool}, {@code per: method}), so the table is
 * bounded twice: each owner (the rule and the caller, see RateLimitCheck#caller) holds at most
 * {@code rate-limits.max-buckets-per-owner}, so one caller naming new tools fills only its own share, and the
 * whole table at most {@code rate-limits.max-local-buckets}. A bucket that is not yet full is never evicted to make
 * room (that would hand its caller a fresh burst): past either bound a call that needs a new bucket is refused,
 * fail closed, until buckets refill and are dropped. An owner's count drops when Caffeine reports the removal (on
 * its executor, within about a second), so a bucket that has just refilled may still count for that long.
 */
public final class LocalTokenBuckets implements RateLimiter {

    private final Cache<String, Bucket> buckets;
    /**
     * The buckets each owner holds, by key; an owner with none has no entry. Kept apart from the cache because the
     * cache hides an expired entry: a bucket replaced after it refilled is found here under its key and counts once,
     * and the removal notice of the old one (later, on the executor) removes only that bucket.
     */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Bucket>> owners = new ConcurrentHashMap<>();
    /** Buckets held, every owner together: the table's bound. */
    private final java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
    private final LongSupplier nanoTime;
    private final long maxBuckets;
    private final int maxPerOwner;

    public LocalTokenBuckets(long maxBuckets, int maxPerOwner) {
        this(System::nanoTime, maxBuckets, maxPerOwner, ForkJoinPool.commonPool());
    }

    /** @param executor where Caffeine runs its maintenance and removal notices (tests: the calling thread) */
    LocalTokenBuckets(LongSupplier nanoTime, long maxBuckets, int maxPerOwner, Executor executor) {
        this.nanoTime = nanoTime;
        this.maxBuckets = maxBuckets;
        this.maxPerOwner = maxPerOwner;
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
    public Future<Boolean> tryTake(String owner, String key, double perSecond, long burst) {
        Take take = new Take();
        // Atomic per key: an entry that expired (full again) is replaced, and the expiry is computed after the take.
        buckets.asMap().compute(key, (k, bucket) -> {
            if (bucket == null) {
                bucket = new Bucket(owner, perSecond, burst, nanoTime.getAsLong());
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
     * Records a new bucket under its owner, or says why not: the owner holds its share, or the table is full. A key
     * the owner still holds (its bucket refilled, expired, and not yet cleaned up) is a replacement and counts once.
     */
    private TableFull admit(String owner, String key, Bucket bucket) {
        TableFull[] refused = {null};
        owners.compute(owner, (o, keys) -> {
            ConcurrentHashMap<String, Bucket> mine = keys == null ? new ConcurrentHashMap<>() : keys;
            if (mine.containsKey(key)) {
                mine.put(key, bucket);
            } else if (mine.size() >= maxPerOwner) {
                refused[0] = new TableFull("rate-limit buckets of " + owner + " full: " + maxPerOwner
                        + " are still refilling (rate-limits.max-buckets-per-owner)");
            } else if (held.get() >= maxBuckets) {
                refused[0] = new TableFull("rate-limit table full: " + maxBuckets + " buckets are still refilling (rate-limits.max-local-buckets)");
            } else {
                mine.put(key, bucket);
                held.incrementAndGet();
            }
            return mine.isEmpty() ? null : mine;
        });
        return refused[0];
    }

    /** A bucket left the cache (refilled): it stops counting, unless its key already holds a newer bucket. */
    private void forget(String key, Bucket bucket) {
        owners.computeIfPresent(bucket.owner, (o, mine) -> {
            if (mine.remove(key, bucket)) {
                held.decrementAndGet();
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

    private static final class Bucket {
        private final String owner;
        private double tokens;
        private long updatedNanos;
        private double perSecond;
        private long burst;

        Bucket(String owner, double perSecond, long burst, long now) {
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
