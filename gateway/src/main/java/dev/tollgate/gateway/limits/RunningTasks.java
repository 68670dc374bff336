package dev.tollgate.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;

/**
 * The MCP tasks this gateway saw created, each holding a concurrency slot of its caller and route
 * ({@link ConcurrentCalls#holdTask}) until it is seen to end: a terminal status in a {@code tasks/get} answer or a
 * {@code notifications/tasks/status}, an answer to {@code tasks/result} or {@code tasks/cancel}. A task never seen to
 * end gives its slot back when its ttl passes, at most {@link #LONGEST_HOLD}: a caller that never polls is held that long.
 * This replica's memory only, as the limits themselves are.
 */
public final class RunningTasks {

    /** The longest a task holds its slot without being seen to end (a task without a ttl, or with a longer one). */
    public static final Duration LONGEST_HOLD = Duration.ofHours(1);
    static final long MAX_TASKS = 100_000;

    private record Key(String scope, String taskId) {
    }

    private record Held(ConcurrentCalls.Admitted slot, long holdNanos) {
    }

    private final Cache<Key, Held> tasks = Caffeine.newBuilder()
            .maximumSize(MAX_TASKS)
            .expireAfter(Expiry.<Key, Held>creating((key, held) -> Duration.ofNanos(held.holdNanos())))
            // Expired entries are removed on time, not at the next access: their slots are given back when the ttl passes.
            .scheduler(Scheduler.systemScheduler())
            .removalListener((Key key, Held held, RemovalCause cause) -> {
                if (held != null) {
                    held.slot().release();
                }
            })
            .build();

    /**
     * The task {@code taskId} was created: its slot is held from now. A task already known keeps its first hold.
     *
     * @param ttlMillis the ttl the server gave the task, or a negative number when it gave none
     */
    public void started(String scope, String taskId, ConcurrentCalls.Admitted slot, long ttlMillis) {
        long hold = ttlMillis < 0 ? LONGEST_HOLD.toNanos() : Math.min(LONGEST_HOLD.toNanos(), Duration.ofMillis(ttlMillis).toNanos());
        Held prior = tasks.asMap().putIfAbsent(new Key(scope, taskId), new Held(slot, Math.max(1, hold)));
        if (prior != null) {
            slot.release();
        }
    }

    /** The task was seen to end: its slot is given back. */
    public void ended(String scope, String taskId) {
        // Given back here, not only by the removal listener, which Caffeine runs later on its executor: the caller's next
        // call may already be on its way. Release is idempotent.
        Held held = tasks.asMap().remove(new Key(scope, taskId));
        if (held != null) {
            held.slot().release();
        }
    }

    /** Tasks holding a slot now (for tests). */
    public long size() {
        tasks.cleanUp();
        return tasks.estimatedSize();
    }
}
