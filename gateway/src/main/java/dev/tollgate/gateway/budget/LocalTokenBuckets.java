package dev.tollgate.gateway.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.vertx.core.Future;
import java.util.function.LongSupplier;

/**
 * Token buckets in this process, shared by its event loops. A bucket refills continuously (no timer: the
 * refill since the last take is computed on the next take) and is forgotten once it would be full again, as
 * {@link RedisRateLimiter}'s keys expire: a forgotten bucket and a new one are then the same bucket. (They were
 * forgotten after an hour unused, which gave a slow bucket, AGT's max calls per run as one call a day, its whole
 * burst back after an hour.)
 *
 * <p>A bucket's key can follow what the caller chose ({@code per: tool}, {@code per: method}), so the table is
 * bounded; a bucket that is not yet full is never evicted to make room (that would hand its caller a fresh
 * burst): past {@code rate-limits.max-local-buckets} a call that needs a new bucket is refused, fail closed, until buckets refill
 * and are dropped.
 */
public final class LocalTokenBuckets implements RateLimiter {

    private final Cache<String, Bucket> buckets;
    private final LongSupplier nanoTime;
    private final long maxBuckets;

    public LocalTokenBuckets(long maxBuckets) {
        this(System::nanoTime, maxBuckets);
    }

    LocalTokenBuckets(LongSupplier nanoTime, long maxBuckets) {
        this.nanoTime = nanoTime;
        this.maxBuckets = maxBuckets;
        // Expired (full) buckets are dropped on the system scheduler's thread even when no call comes to trigger it.
        this.buckets = Caffeine.newBuilder().ticker(nanoTime::getAsLong).expireAfter(new UntilFull())
                .scheduler(Scheduler.systemScheduler()).build();
    }

    @Override
    public Future<Boolean> tryTake(String key, double perSecond, long burst) {
        Take take = new Take();
        // Atomic per key: an entry that expired (full again) is replaced, and the expiry is computed after the take.
        buckets.asMap().compute(key, (k, bucket) -> {
            if (bucket == null) {
                if (buckets.estimatedSize() >= maxBuckets) {
                    take.tableFull = true;
                    return null;
                }
                bucket = new Bucket(perSecond, burst, nanoTime.getAsLong());
            }
            take.taken = bucket.tryTake(perSecond, burst, nanoTime.getAsLong());
            return bucket;
        });
        if (take.tableFull) {
            return Future.failedFuture(new TableFull(maxBuckets));
        }
        return Future.succeededFuture(take.taken);
    }

    /** Refused rather than forgetting a bucket that is not full yet. */
    static final class TableFull extends IllegalStateException {
        TableFull(long maxBuckets) {
            super("rate-limit table full: " + maxBuckets + " buckets are still refilling (rate-limits.max-local-buckets)");
        }
    }

    private static final class Take {
        boolean taken;
        boolean tableFull;
    }

    /** How many buckets are held (tests, metrics). */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
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
        private double tokens;
        private long updatedNanos;
        private double perSecond;
        private long burst;

        Bucket(double perSecond, long burst, long now) {
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
