package dev.tollgate.gateway.pipeline;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The approvals whose call a 2026-07-28 retry already let through (ask-client): one approval lets one call through, as a
 * held 2025 call is one call. The requestState stays valid after the answer (it is sealed, not stored), so without this
 * the same caller could send the approved retry again and again, each forwarded. Kept in this process until the state
 * it answers has expired; a replay to another replica is not caught (the shared store keeps no such mark yet).
 */
final class AskClientReleases {

    private static final Map<String, Instant> RELEASED = new ConcurrentHashMap<>();
    private static final AtomicInteger SINCE_PRUNED = new AtomicInteger();
    private static final int PRUNE_EVERY = 1024;

    private AskClientReleases() {
    }

    /** @return true for the first retry of this approval to go on; false once one went on (until {@code until}) */
    static boolean release(String approvalId, Instant until) {
        if (SINCE_PRUNED.incrementAndGet() >= PRUNE_EVERY) {
            SINCE_PRUNED.set(0);
            Instant now = Instant.now();
            RELEASED.values().removeIf(expiry -> expiry.isBefore(now));
        }
        return RELEASED.putIfAbsent(approvalId, until) == null;
    }
}
