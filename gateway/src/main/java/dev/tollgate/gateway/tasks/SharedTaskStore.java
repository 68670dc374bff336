package dev.tollgate.gateway.tasks;

import dev.tollgate.gateway.routing.TaskScope;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Task and context bindings shared by every replica (README "Several replicas"): a task created through one replica
 * is another caller's on every other one, and after a restart. The first binding of an id wins, as it does in each
 * replica's own cache. Futures complete on whatever thread the store answers on: callers move back to their context.
 * A binding is kept under every one of its scope's keys ({@link TaskScope#keys}): read under each (the first key holding
 * one of this scope's, in that order, gives the binding: see {@link TaskScope#owns}) and copied to those that lack it,
 * so that it is found whatever the route's scope becomes while any of those keys stays in it. Deferred costs, early
 * results and stream answers are filed under every key of the scope too (review BG: under its name alone, a reload
 * renaming the scope lost them), one entry for all its keys: found under any, taken once. Each names the scope it was
 * filed for, as a binding does: one found under a key that a reload gave to another server ({@link TaskScope#foreign})
 * is that server's, and is passed over (fix AA).
 */
public interface SharedTaskStore {

    /**
     * Makes sure the store holds a binding for the task, kept for the store's retention from now: written when the store
     * has none under any of the scope's keys; an existing one is kept (the first binding wins), copied under the keys that
     * lack it, and its retention restarted. Completes with the binding
     * the store already held (null when this one was written), so the caller can take the first binding as its own;
     * fails when the store cannot answer in time (the binding may then be missing from the store).
     */
    Future<TaskBinding> bindTask(TaskScope scope, String taskId, TaskBinding binding);

    /** As {@link #bindTask} for a context's owner; completes with the owner the store already held, or null. */
    Future<String> bindContext(TaskScope scope, String contextId, String owner);

    /**
     * The bindings the store holds for these ids under any of the scope's keys (each copied under the keys that lack it,
     * its retention restarted); an id it does not hold is absent from the answer (unknown, as to a replica that never saw
     * it). Fails when the store cannot answer in time: callers then refuse (fail closed).
     */
    Future<Found> find(TaskScope scope, Collection<String> taskIds, Collection<String> contextIds);

    /**
     * Keeps a task's deferred cost for any replica to settle, for the store's retention, unless its result was relayed
     * first ({@link #takeDeferredCost} left it): then that is taken instead, and nothing kept. One atomic step, so a
     * result relayed by one replica while another's creating call is still open is neither lost nor charged twice.
     * Completes with the early result (null when the cost was kept); fails when the store cannot answer in time (then
     * only this replica can settle it).
     */
    Future<EarlyTaskResult> deferCost(TaskScope scope, String taskId, DeferredTaskCost cost);

    /** As {@link #deferCost(TaskScope, String, DeferredTaskCost)} for a scope of these keys alone in its configuration. */
    default Future<EarlyTaskResult> deferCost(List<String> scopes, String taskId, DeferredTaskCost cost) {
        return deferCost(alone(scopes), taskId, cost);
    }

    /**
     * Takes a task's deferred cost, atomically: of any number of replicas asking, one gets it. When the store holds none,
     * {@code result} (unless null) is kept a while in its place for the creating call ({@link #deferCost}), in the same
     * atomic step. Completes with null when the store held none (not deferred yet, already taken, expired).
     */
    Future<DeferredTaskCost> takeDeferredCost(TaskScope scope, String taskId, EarlyTaskResult result);

    /** As {@link #takeDeferredCost(TaskScope, String, EarlyTaskResult)} for a scope of these keys alone in its configuration. */
    default Future<DeferredTaskCost> takeDeferredCost(List<String> scopes, String taskId, EarlyTaskResult result) {
        return takeDeferredCost(alone(scopes), taskId, result);
    }

    /**
     * Queues what a request whose stream ended unanswered awaits, for whichever replica relays the resumed stream's answer;
     * kept an hour. {@code stream} names the request (its caller, session and id). Fails when the store cannot answer in time.
     */
    Future<Void> deferStreamAnswer(TaskScope scope, String stream, DeferredStreamAnswer answer);

    /** As {@link #deferStreamAnswer(TaskScope, String, DeferredStreamAnswer)} for a scope of these keys alone in its configuration. */
    default Future<Void> deferStreamAnswer(List<String> scopes, String stream, DeferredStreamAnswer answer) {
        return deferStreamAnswer(alone(scopes), stream, answer);
    }

    /** Takes the oldest entry queued for the request, atomically (one replica gets each); completes with null when none is. */
    Future<DeferredStreamAnswer> takeStreamAnswer(TaskScope scope, String stream);

    /** As {@link #takeStreamAnswer(TaskScope, String)} for a scope of these keys alone in its configuration. */
    default Future<DeferredStreamAnswer> takeStreamAnswer(List<String> scopes, String stream) {
        return takeStreamAnswer(alone(scopes), stream);
    }

    /** Removes one entry this replica queued and then settled itself (its own copy was taken before the write completed). */
    Future<Void> dropStreamAnswer(TaskScope scope, String stream, DeferredStreamAnswer answer);

    /** As {@link #dropStreamAnswer(TaskScope, String, DeferredStreamAnswer)} for a scope of these keys alone in its configuration. */
    default Future<Void> dropStreamAnswer(List<String> scopes, String stream, DeferredStreamAnswer answer) {
        return dropStreamAnswer(alone(scopes), stream, answer);
    }

    private static TaskScope alone(List<String> scopes) {
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("an entry needs a scope");
        }
        return new TaskScope(scopes.get(0), scopes);
    }

    void close();

    /** @param contextOwners context id to its owner */
    record Found(Map<String, TaskBinding> tasks, Map<String, String> contextOwners) {
    }
}
