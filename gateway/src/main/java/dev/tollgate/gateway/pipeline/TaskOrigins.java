package dev.tollgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.tasks.SharedTaskStore;
import dev.tollgate.gateway.tasks.TaskBinding;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which tool created each MCP task, learnt from the {@code tools/call} answers that pass through the gateway
 * (a result holding {@code task.taskId}). A {@code tasks/get}, {@code tasks/result}, {@code tasks/update} or
 * {@code tasks/cancel} names only the task, yet it reads or steers the work of that tool: policy sees it as a
 * call of the creating tool, so a {@code tool:} rule covers the task's whole life, not only its start.
 * The caller who created the task is kept too: another caller naming the task is told it does not exist.
 * So is the upstream instance that answered, for routes with several: the task's follow-ups go to it.
 * Shared by every event loop; bounded in count and kept for a day after last use. A task this gateway did
 * not see created (another replica, before a restart, evicted) has no known tool or owner, unless a
 * {@link SharedTaskStore} is configured ({@code tasks: {store: redis}}): every binding learnt here is written there
 * too, and {@link #load} fetches the bindings this replica lacks before a request naming them is decided.
 */
public final class TaskOrigins {

    /** The most tasks remembered at once; the least recently used are forgotten first. */
    static final long MAX_TASKS = 100_000;
    /** How long a task is remembered after it was last named. */
    static final Duration RETENTION = Duration.ofHours(24);

    private record Key(String route, String taskId) {
    }

    /**
     * @param tool  the tool whose call created the task
     * @param owner    who created it (see {@link dev.tollgate.policy.CallerKey#of}); null for an anonymous caller, which binds nothing
     * @param instance the URL of the upstream instance that created it (where its follow-ups must go); null when unknown
     */
    record Origin(String tool, String owner, String instance) {

        /** Whether the task is bound to a caller other than this one: to it, the task does not exist. */
        boolean boundToAnother(String caller) {
            return owner != null && !owner.equals(caller);
        }
    }

    /** Where bindings are shared with the other replicas; null: this replica's memory only ({@code tasks: {store: memory}}). */
    private final SharedTaskStore shared;

    TaskOrigins() {
        this(null);
    }

    public TaskOrigins(SharedTaskStore shared) {
        this.shared = shared;
    }

    private final Cache<Key, Origin> byTask = Caffeine.newBuilder()
            .maximumSize(MAX_TASKS)
            .expireAfterAccess(RETENTION)
            .build();

    /**
     * Who started each A2A context (a conversation: agents commonly keep its history and memory under its id), learnt
     * from the answers to messages; kept like tasks. Only contexts with an owner are kept: an anonymous one binds nobody.
     */
    private final Cache<Key, String> contextOwners = Caffeine.newBuilder()
            .maximumSize(MAX_TASKS)
            .expireAfterAccess(RETENTION)
            .build();

    /** Binds the context to its first owner: an answer cannot hand another caller's context to this one. */
    void learnContext(String route, String contextId, String owner) {
        if (owner != null && contextOwners.asMap().putIfAbsent(new Key(route, contextId), owner) == null && shared != null) {
            shared.bindContext(route, contextId, owner);
        }
    }

    /** Whether the context on this route was started by a caller other than {@code caller} (false when not seen). */
    boolean contextBoundToAnother(String route, String contextId, String caller) {
        String owner = contextOwners.getIfPresent(new Key(route, contextId));
        return owner != null && !owner.equals(caller);
    }

    void learn(String route, String taskId, String tool, String owner, String instance) {
        byTask.put(new Key(route, taskId), new Origin(tool, owner, instance));
        if (shared != null) {
            // Not awaited: the answer is not held for it. Until it lands only the creator holds the id.
            shared.bindTask(route, taskId, new TaskBinding(tool, owner, instance));
        }
    }

    /** Closes the shared store's connections, if any (the gateway's close). */
    public void close() {
        if (shared != null) {
            shared.close();
        }
    }

    /** Whether bindings are shared with other replicas (then {@link #load} may have to wait for the store). */
    boolean shared() {
        return shared != null;
    }

    /**
     * Makes the bindings of these ids known here before they are read: those this replica lacks are fetched from the
     * shared store and kept (a binding learnt here meanwhile wins). Completes at once when there is no shared store or
     * nothing is missing; fails when the store cannot answer, and the caller then refuses (fail closed). Completes on
     * {@code context}, the caller's event loop.
     */
    Future<Void> load(String route, Collection<String> taskIds, Collection<String> contextIds, Context context) {
        if (shared == null) {
            return Future.succeededFuture();
        }
        Set<String> tasks = new LinkedHashSet<>();
        for (String id : taskIds) {
            if (of(route, id) == null) {
                tasks.add(id);
            }
        }
        Set<String> contexts = new LinkedHashSet<>();
        for (String id : contextIds) {
            if (contextOwners.getIfPresent(new Key(route, id)) == null) {
                contexts.add(id);
            }
        }
        if (tasks.isEmpty() && contexts.isEmpty()) {
            return Future.succeededFuture();
        }
        Future<Void> loaded = shared.find(route, tasks, contexts).map(found -> {
            found.tasks().forEach((id, b) -> byTask.asMap().putIfAbsent(new Key(route, id), new Origin(b.tool(), b.owner(), b.instance())));
            found.contextOwners().forEach((id, owner) -> contextOwners.asMap().putIfAbsent(new Key(route, id), owner));
            return null;
        });
        return context == null ? loaded : Future.fromCompletionStage(loaded.toCompletionStage(), context);
    }

    /** Where the task on this route came from, or null when the gateway did not see it created. */
    Origin of(String route, String taskId) {
        return byTask.getIfPresent(new Key(route, taskId));
    }

    /** Whether the task on this route is bound to a caller other than {@code caller} (false for a task not seen created). */
    boolean boundToAnother(String route, String taskId, String caller) {
        Origin origin = of(route, taskId);
        return origin != null && origin.boundToAnother(caller);
    }

    /** The tool whose call created the task on this route, or null when the gateway did not see it created. */
    String toolOf(String route, String taskId) {
        Origin origin = of(route, taskId);
        return origin == null ? null : origin.tool();
    }
}
