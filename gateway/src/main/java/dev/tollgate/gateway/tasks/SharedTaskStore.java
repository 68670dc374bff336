package dev.tollgate.gateway.tasks;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.Map;

/**
 * Task and context bindings shared by every replica (README "Several replicas"): a task created through one replica
 * is another caller's on every other one, and after a restart. The first binding of an id wins, as it does in each
 * replica's own cache. Reads complete on whatever thread the store answers on: callers move back to their context.
 */
public interface SharedTaskStore {

    /** Records a task's binding unless the task is bound already. Fire-and-forget: a failure is logged and counted. */
    void bindTask(String route, String taskId, TaskBinding binding);

    /** Records a context's owner unless it has one already. Fire-and-forget, as {@link #bindTask}. */
    void bindContext(String route, String contextId, String owner);

    /**
     * The bindings the store holds for these ids; an id it does not hold is absent from the answer (unknown, as to a
     * replica that never saw it). Fails when the store cannot answer in time: callers then refuse (fail closed).
     */
    Future<Found> find(String route, Collection<String> taskIds, Collection<String> contextIds);

    void close();

    /** @param contextOwners context id to its owner */
    record Found(Map<String, TaskBinding> tasks, Map<String, String> contextOwners) {
    }
}
