package dev.tollgate.gateway.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Token buckets in this process, shared by its event loops. A bucket refills continuously (no timer: the
 * refill since the last take is computed on the next take) and is forgotten after an hour unused, when it
 * would be full again anyway for any rate above one call per hour.
 */
public final class LocalTokenBuckets implements RateLimiter {

    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(1)).build();
    private final LongSupplier nanoTime;

    public LocalTokenBuckets() {
        this(System::nanoTime);
    }

    LocalTokenBuckets(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public Future<Boolean> tryTake(String key, double perSecond, long burst) {
        Bucket bucket = buckets.get(key, k -> new Bucket(burst, nanoTime.getAsLong()));
        return Future.succeededFuture(bucket.tryTake(perSecond, burst, nanoTime.getAsLong()));
    }

    private static final class Bucket {
        private double tokens;
        private long updatedNanos;

        Bucket(long burst, long now) {
            this.tokens = burst;
            this.updatedNanos = now;
        }

        synchronized boolean tryTake(double perSecond, long burst, long now) {
            tokens = Math.min(burst, tokens + (now - updatedNanos) * perSecond / 1e9);
            updatedNanos = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
