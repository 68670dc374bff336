package dev.tollgate.gateway;

import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Caffeine builders for caches read on every call from the event loops. Caffeine hands its maintenance (draining
 * the read buffer, expiring entries) to {@code ForkJoinPool.commonPool()} by default, which for a token read on
 * every call woke a pool thread every few reads: 1.1 us of CPU per call in the full pipeline, and a cross-thread
 * hand-off, on a machine whose two cores the event loops need. Run on the caller, the maintenance is a few
 * bounded buffer drains amortized over the reads; none of these caches has a loader or a removal listener that
 * could do I/O there.
 */
public final class CallPathCaches {

    private CallPathCaches() {
    }

    public static Caffeine<Object, Object> newBuilder() {
        return Caffeine.newBuilder().executor(Runnable::run);
    }
}
