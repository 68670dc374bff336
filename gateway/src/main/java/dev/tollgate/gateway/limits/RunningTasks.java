package dev.tollgate.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

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

    /**
     * A task's slot, held under every key of its task's scope ({@code TaskScope#keys}): a reload that renames the scope
     * (removing or reordering the route's first instance) keeps the others, so the task's end is still found (review BG:
     * kept under the scope's name alone, an end seen after such a reload found nothing and the slot was held an hour).
     */
    private static final class Held {
        final ConcurrentCalls.Admitted slot;
        final List<String> scopes;

        Held(ConcurrentCalls.Admitted slot, List<String> scopes) {
            this.slot = slot;
            this.scopes = scopes;
        }
    }

    /** Tasks seen to end before they were seen created (a creating stream still open): they take no slot when it ends. */
    private final Cache<Key, Boolean> endedEarly = Caffeine.newBuilder().maximumSize(MAX_TASKS).expireAfterWrite(Duration.ofMinutes(10)).build();

    /** What one task weighs, shared among its copies: the bound counts tasks, not keys ({@link #MAX_TASKS} tasks). */
    private static final int TASK_WEIGHT = 64;

    private final Cache<Key, Held> tasks = Caffeine.newBuilder()
            .maximumWeight(MAX_TASKS * TASK_WEIGHT)
            .weigher((Key key, Held held) -> Math.max(1, TASK_WEIGHT / held.scopes.size()))
            .expireAfterWrite(LONGEST_HOLD)
            // Expired entries are removed on time, not at the next access: their slots are given back when the ttl passes.
            .scheduler(Scheduler.systemScheduler())
            .removalListener((Key key, Held held, RemovalCause cause) -> {
                if (held != null) {
                    held.slot.release(); // idempotent: the same slot is held under each of the scope's keys
                }
            })
            .build();

    /** As {@link #started(List, String, Supplier)} for a scope of one key. */
    public void started(String scope, String taskId, Supplier<ConcurrentCalls.Admitted> slot) {
        started(List.of(scope), taskId, slot);
    }

    /**
     * The task {@code taskId} was created: a slot of its caller's is held from now, until it is seen to end or
     * {@link #LONGEST_HOLD} passes. Not its ttl: a ttl is how long the server keeps the task's result, which the client
     * asks for (review Z: {@code ttl: 0} freed the slot at once while the job ran 15 s; a ttl of 1e13 ms overflowed and
     * kept the route's slots for ever). A task already known, or already seen to end, under any of the scope's keys takes
     * no slot. The slot is held under every key of the scope ({@code scopes}), one slot for all.
     */
    public synchronized void started(List<String> scopes, String taskId, Supplier<ConcurrentCalls.Admitted> slot) {
        boolean endedFirst = false;
        for (String scope : scopes) {
            endedFirst |= endedEarly.asMap().remove(new Key(scope, taskId)) != null;
        }
        if (endedFirst) {
            return; // its end was relayed before the call that created it ended (review Z)
        }
        for (String scope : scopes) {
            if (tasks.getIfPresent(new Key(scope, taskId)) != null) {
                return;
            }
        }
        Held held = new Held(slot.get(), List.copyOf(scopes));
        held.scopes.forEach(scope -> tasks.put(new Key(scope, taskId), held));
    }

    /** As {@link #ended(List, String)} for a scope of one key. */
    public void ended(String scope, String taskId) {
        ended(List.of(scope), taskId);
    }

    /** The task was seen to end: its slot, found under any of the scope's keys, is given back. */
    public synchronized void ended(List<String> scopes, String taskId) {
        Held held = null;
        for (String scope : scopes) {
            held = tasks.getIfPresent(new Key(scope, taskId));
            if (held != null) {
                break;
            }
        }
        if (held != null) {
            Held found = held;
            found.scopes.forEach(scope -> tasks.asMap().remove(new Key(scope, taskId), found));
            // Given back here, not only by the removal listener, which Caffeine runs later on its executor: the caller's next
            // call may already be on its way. Release is idempotent.
            found.slot.release();
        } else {
            // Its end may come first: a tasks/result answered while the stream that created the task is still open.
            scopes.forEach(scope -> endedEarly.put(new Key(scope, taskId), Boolean.TRUE));
        }
    }

    /** Tasks holding a slot now (for tests). */
    public long size() {
        tasks.cleanUp();
        java.util.Set<Held> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        distinct.addAll(tasks.asMap().values());
        return distinct.size();
    }
}
