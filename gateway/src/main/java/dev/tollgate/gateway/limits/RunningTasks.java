package dev.tollgate.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tollgate.gateway.routing.TaskScope;
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
     * It names the scope it was taken for ({@code madeUnder}, the scope's name), as a task's binding does: one found under
     * a key that a reload gave to another server ({@link TaskScope#foreign}) is that server's old task, not the reader's,
     * and is passed over (fix AA: the other server's task of the same id ended the first one's slot, and held none itself).
     */
    private static final class Held {
        final ConcurrentCalls.Admitted slot;
        final List<String> scopes;
        final String madeUnder;

        Held(ConcurrentCalls.Admitted slot, TaskScope scope) {
            this.slot = slot;
            this.scopes = scope.keys();
            this.madeUnder = scope.name();
        }
    }

    /**
     * Tasks seen to end before they were seen created (a creating stream still open): they take no slot when it ends.
     * Each names the scope it was seen under, as a slot does.
     */
    private final Cache<Key, String> endedEarly = Caffeine.newBuilder().maximumSize(MAX_TASKS).expireAfterWrite(Duration.ofMinutes(10)).build();

    /** What one task weighs, shared among its copies: the bound counts tasks, not keys ({@link #MAX_TASKS} tasks). */
    private static final int TASK_WEIGHT = 64;

    private final Cache<Key, Held> tasks = Caffeine.newBuilder()
            .maximumWeight(MAX_TASKS * TASK_WEIGHT)
            .weigher((Key key, Held held) -> Math.max(1, TASK_WEIGHT / held.scopes.size()))
            .expireAfterWrite(LONGEST_HOLD)
            // Expired entries are removed on time, not at the next access: their slots are given back when the ttl passes.
            .scheduler(Scheduler.systemScheduler())
            .removalListener((Key key, Held held, RemovalCause cause) -> {
                // Not when replaced: only another server's copy is ever replaced (by this scope's task of the same id, filed
                // under a key a reload moved), and that task still runs; its copies under its own keys hold its slot.
                if (held != null && cause != RemovalCause.REPLACED) {
                    held.slot.release(); // idempotent: the same slot is held under each of the scope's keys
                }
            })
            .build();

    /** As {@link #started(TaskScope, String, Supplier)} for a scope of one key. */
    public void started(String scope, String taskId, Supplier<ConcurrentCalls.Admitted> slot) {
        started(TaskScope.named(scope), taskId, slot);
    }

    /** As {@link #started(TaskScope, String, Supplier)} for a scope of these keys alone in its configuration. */
    public void started(List<String> scopes, String taskId, Supplier<ConcurrentCalls.Admitted> slot) {
        started(alone(scopes), taskId, slot);
    }

    /**
     * The task {@code taskId} was created: a slot of its caller's is held from now, until it is seen to end or
     * {@link #LONGEST_HOLD} passes. Not its ttl: a ttl is how long the server keeps the task's result, which the client
     * asks for (review Z: {@code ttl: 0} freed the slot at once while the job ran 15 s; a ttl of 1e13 ms overflowed and
     * kept the route's slots for ever). A task already known, or already seen to end, under any of the scope's keys takes
     * no slot (another server's task of the same id, found under a key a reload gave to it, is not this one). The slot is
     * held under every key of the scope, one slot for all.
     */
    public synchronized void started(TaskScope scope, String taskId, Supplier<ConcurrentCalls.Admitted> slot) {
        boolean endedFirst = false;
        for (String key : scope.keys()) {
            String seenUnder = endedEarly.getIfPresent(new Key(key, taskId));
            if (seenUnder != null && scope.owns(seenUnder)) {
                endedFirst = true;
                endedEarly.asMap().remove(new Key(key, taskId), seenUnder);
            }
        }
        if (endedFirst) {
            return; // its end was relayed before the call that created it ended (review Z)
        }
        if (held(scope, taskId) != null) {
            return;
        }
        Held held = new Held(slot.get(), scope);
        held.scopes.forEach(key -> tasks.put(new Key(key, taskId), held));
    }

    /** As {@link #ended(TaskScope, String)} for a scope of one key. */
    public void ended(String scope, String taskId) {
        ended(TaskScope.named(scope), taskId);
    }

    /** As {@link #ended(TaskScope, String)} for a scope of these keys alone in its configuration. */
    public void ended(List<String> scopes, String taskId) {
        ended(alone(scopes), taskId);
    }

    private static TaskScope alone(List<String> scopes) {
        return new TaskScope(scopes.get(0), scopes);
    }

    /** The slot under the first of the scope's keys that holds one of this scope's (not another server's now). */
    private Held held(TaskScope scope, String taskId) {
        for (String key : scope.keys()) {
            Held held = tasks.getIfPresent(new Key(key, taskId));
            if (held != null && scope.owns(held.madeUnder)) {
                return held;
            }
        }
        return null;
    }

    /** The task was seen to end: its slot, found under any of the scope's keys (this scope's, see {@link Held}), is given back. */
    public synchronized void ended(TaskScope scope, String taskId) {
        Held held = held(scope, taskId);
        if (held != null) {
            Held found = held;
            found.scopes.forEach(key -> tasks.asMap().remove(new Key(key, taskId), found));
            // Given back here, not only by the removal listener, which Caffeine runs later on its executor: the caller's next
            // call may already be on its way. Release is idempotent.
            found.slot.release();
        } else {
            // Its end may come first: a tasks/result answered while the stream that created the task is still open.
            scope.keys().forEach(key -> endedEarly.put(new Key(key, taskId), scope.name()));
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
