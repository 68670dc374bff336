package dev.tollgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.gateway.tasks.BindingShares;
import dev.tollgate.gateway.tasks.SharedTaskStore;
import dev.tollgate.gateway.tasks.TaskBinding;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Which tool created each MCP task, learnt from the {@code tools/call} answers that pass through the gateway
 * (a result holding {@code task.taskId}). A {@code tasks/get}, {@code tasks/result}, {@code tasks/update} or
 * {@code tasks/cancel} names only the task, yet it reads or steers the work of that tool: policy sees it as a
 * call of the creating tool, so a {@code tool:} rule covers the task's whole life, not only its start.
 * The caller who created the task is kept too: another caller naming the task is told it does not exist.
 * So is the upstream instance that answered, for routes with several: the task's follow-ups go to it.
 * Shared by every event loop; kept for {@code tasks.retention} (a day) after last use, and bounded per tenant
 * ({@link BindingShares}, {@code tasks.max-bindings-per-tenant}): a binding is never pushed out to make room for another
 * (review AG: one caller's fresh ids pushed out another's, which then bound nobody), a tenant whose share is full is
 * refused new ones (fail closed). A task this gateway did not see created (another replica, before a restart) has no
 * known tool or owner, unless a
 * {@link SharedTaskStore} is configured ({@code tasks: {store: redis}}): every binding learnt here is written there
 * too, and the answer that creates it waits for that write (withheld when it fails: an id the store lacks would be
 * nobody's on the other replicas). {@link #load} fetches the bindings this replica lacks before a request naming them
 * is decided, and binds again, on every use, those it has: a task or context in use stays in the store as long as any
 * replica keeps it, and one the store lost is written again by its next use.
 * <p>A binding is kept under every key of its route's {@link TaskScope} and looked up under each (the first found, in the
 * scope's order, is the binding), and one found under some keys only is copied to the others: a reload that renames the
 * scope (a route's first instance removed or reordered) leaves the route's bindings found while any instance stays.
 */
public final class TaskOrigins {

    /** The most entries of {@link #recentlyBound} (a forgotten one costs one more write to the shared store, nothing else). */
    static final long MAX_TASKS = 100_000;
    /** A binding in use is bound again in the shared store this many times per retention at most (once an hour by default). */
    private static final int REFRESHES_PER_RETENTION = 24;

    private record Key(String route, String taskId) {
    }

    /**
     * A binding as kept under one key of its scope. Its tenant's share was taken once, under {@code anchor}: only that
     * entry's expiry gives it back (the copies under the scope's other keys expire too, and must not give it back again).
     * A binding found by a scope that is not its anchor's (a reload removed the anchor's instance) names that scope as its
     * anchor from then on ({@link #lookUp}), so the share follows the binding while it is in use.
     */
    private record Held<T>(T value, String anchor) {
    }

    /** A binding in the shared store: a task's or a context's, under every key of its scope. */
    private record SharedKey(boolean context, TaskScope scope, String id) {
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

        TaskBinding binding() {
            return new TaskBinding(tool, owner, instance);
        }

        static Origin of(TaskBinding binding) {
            return new Origin(binding.tool(), binding.owner(), binding.instance());
        }
    }

    /** Where bindings are shared with the other replicas; null: this replica's memory only ({@code tasks: {store: memory}}). */
    private final SharedTaskStore shared;
    private final Cache<Key, Held<Origin>> byTask;

    /**
     * Who started each A2A context (a conversation: agents commonly keep its history and memory under its id), learnt
     * from the answers to messages; kept like tasks. Only contexts with an owner are kept: an anonymous one binds nobody.
     */
    private final Cache<Key, Held<String>> contextOwners;

    /** How many tasks, and how many contexts, each tenant holds: given back only as its own bindings expire. */
    private final BindingShares taskShares;
    private final BindingShares contextShares;

    /**
     * The bindings this replica bound in (or read from) the shared store within the last refresh interval: an answer
     * naming one of them again is relayed without waiting for the store. One that failed is taken out, so the next answer
     * naming it waits for its write.
     */
    private final Cache<SharedKey, Boolean> recentlyBound;

    TaskOrigins() {
        this(null, dev.tollgate.gateway.config.TasksConfig.DEFAULT_RETENTION);
    }

    /** @param retention how long a task or context is kept after it was last named ({@code tasks.retention}) */
    public TaskOrigins(SharedTaskStore shared, Duration retention) {
        this(shared, retention, dev.tollgate.gateway.config.TasksConfig.DEFAULT_MAX_BINDINGS_PER_TENANT);
    }

    /**
     * @param retention        how long a task or context is kept after it was last named ({@code tasks.retention})
     * @param maxPerTenant     the most tasks, and the most contexts, one tenant holds ({@code tasks.max-bindings-per-tenant})
     */
    public TaskOrigins(SharedTaskStore shared, Duration retention, int maxPerTenant) {
        this.shared = shared;
        this.taskShares = new BindingShares(maxPerTenant);
        this.contextShares = new BindingShares(maxPerTenant);
        // No size bound: expiry alone ends a binding, and gives its room back to its own tenant's share.
        // Expired promptly (the scheduler), not only when the table is next written: an expired binding's room goes back to
        // its tenant's share then.
        this.byTask = Caffeine.newBuilder().expireAfterAccess(retention).scheduler(Scheduler.systemScheduler())
                .<Key, Held<Origin>>evictionListener((key, held, cause) -> {
                    if (held != null && key.route().equals(held.anchor())) {
                        taskShares.giveBack(shareOwner(held.value().owner()));
                    }
                }).build();
        this.contextOwners = Caffeine.newBuilder().expireAfterAccess(retention).scheduler(Scheduler.systemScheduler())
                .<Key, Held<String>>evictionListener((key, held, cause) -> {
                    if (held != null && key.route().equals(held.anchor())) {
                        contextShares.giveBack(held.value());
                    }
                }).build();
        this.recentlyBound = Caffeine.newBuilder().maximumSize(2 * MAX_TASKS).expireAfterWrite(refreshEvery(retention)).build();
    }

    /**
     * How long the shared store keeps a binding after it was last bound or read: a replica's retention and one refresh
     * interval, so that a binding a replica still keeps (it binds again at most a refresh interval before its last use)
     * is never gone from the store.
     */
    public static Duration sharedRetention(Duration retention) {
        return retention.plus(refreshEvery(retention));
    }

    private static Duration refreshEvery(Duration retention) {
        return retention.dividedBy(REFRESHES_PER_RETENTION);
    }

    /**
     * Binds the context to its first owner: an answer cannot hand another caller's context to this one. With a shared
     * store, completes once the binding is there (then the store's first owner is this replica's too); fails when it
     * could not be written, and the answer naming the context is withheld. Completes at once when nothing is new.
     *
     * @return true when the context is bound (to this owner, or already to another: see {@link #contextBoundToAnother});
     *         false when it is new and the owner's tenant holds as many contexts as it may: nothing bound, the caller
     *         refuses (fail closed), no other binding was pushed out
     */
    Future<Boolean> learnContext(TaskScope scope, String contextId, String owner) {
        if (owner == null) {
            return Future.succeededFuture(true);
        }
        String prior = lookUp(contextOwners, scope, contextId);
        if (prior == null) {
            if (!contextShares.take(owner)) {
                return Future.succeededFuture(false);
            }
            prior = bindFirst(contextOwners, scope, contextId, owner);
            if (prior != null) {
                contextShares.giveBack(owner); // bound meanwhile, on another event loop
            }
        }
        if (shared == null || prior != null && (!prior.equals(owner) || recentlyBound.getIfPresent(new SharedKey(true, scope, contextId)) != null)) {
            return Future.succeededFuture(true);
        }
        // New, or this caller's own whose binding the store may lack (its last write failed): handed out only once it is there.
        return onCaller(bindContext(scope, contextId, owner)).map(v -> true);
    }

    /**
     * The binding of the id under the scope's first key holding one of this scope's (a copy made under a scope that is
     * another server's now is not: {@link TaskScope#owns}), copied to the keys that lack it (a key the scope gained by a
     * reload: so the binding is still found once the key it was found under leaves the scope). One made under a scope
     * that is no group's now (the route's first instance was removed) is carried on by this one: it names this scope from
     * now on, and its tenant's share moves with it (review BG: the share came back while the binding was still in use).
     * Null when none.
     */
    private static <T> T lookUp(Cache<Key, Held<T>> cache, TaskScope scope, String id) {
        Held<T> found = null;
        boolean missing = false;
        for (String key : scope.keys()) {
            Held<T> held = cache.getIfPresent(new Key(key, id)); // read under every key: a read is a use, and each copy is kept alike
            if (held == null || !scope.owns(held.anchor())) {
                missing = true;
            } else if (found == null) {
                found = held;
            }
        }
        if (found == null) {
            return null;
        }
        if (!scope.keys().contains(found.anchor())) {
            Held<T> orphan = found;
            Held<T> carried = new Held<>(found.value(), scope.name());
            // The entry that held the share names the new anchor too: its expiry gives nothing back (the new one's will).
            cache.asMap().computeIfPresent(new Key(orphan.anchor(), id), (k, held) -> held.equals(orphan) ? carried : held);
            for (String key : scope.keys()) {
                cache.asMap().compute(new Key(key, id), (k, held) -> held == null || held.equals(orphan) || !scope.owns(held.anchor()) ? carried : held);
            }
        } else if (missing) {
            spread(cache, scope, id, found);
        }
        return found.value();
    }

    /** Puts the binding under each key of the scope that holds none of this scope's (another server's copy is replaced). */
    private static <T> void spread(Cache<Key, Held<T>> cache, TaskScope scope, String id, Held<T> bound) {
        for (String key : scope.keys()) {
            cache.asMap().compute(new Key(key, id), (k, held) -> held == null || !scope.owns(held.anchor()) ? bound : held);
        }
    }

    /**
     * Binds the id to {@code value} unless it is bound meanwhile (another event loop): decided under the scope's name, so
     * of two racing bindings one wins; the winner is then copied under the scope's other keys. Returns the binding that
     * was there first, or null when this one was made (its tenant's share taken under the scope's name).
     */
    private static <T> T bindFirst(Cache<Key, Held<T>> cache, TaskScope scope, String id, T value) {
        Held<T> mine = new Held<>(value, scope.name());
        Object[] prior = {null};
        Held<T> bound = cache.asMap().compute(new Key(scope.name(), id), (k, held) -> {
            if (held != null && scope.owns(held.anchor())) {
                prior[0] = held;
                return held;
            }
            return mine; // none, or another server's copy
        });
        spread(cache, scope, id, bound);
        return prior[0] == null ? null : bound.value();
    }

    /** Whether this owner's tenant may bind one more context (a call that may start a conversation is forwarded only then). */
    boolean roomForContext(String owner) {
        return owner == null || contextShares.held(owner) < contextShares.max();
    }

    /** Whether this owner's tenant may bind one more task (anonymous callers share one allowance). */
    boolean roomForTask(String owner) {
        return taskShares.held(shareOwner(owner)) < taskShares.max();
    }

    /** The share of the tenant whose binding could not be made: the answer that would hand its id out is withheld. */
    static Future<Void> required(Future<Boolean> bound) {
        if (bound.succeeded()) {
            return bound.result() ? Future.succeededFuture() : Future.failedFuture(FULL);
        }
        return bound.compose(b -> b ? Future.succeededFuture() : Future.failedFuture(FULL));
    }

    /** Why a binding was not made: its tenant's share is full. */
    static final String FULL_DETAIL = "this tenant holds as many tasks or contexts as it may (tasks.max-bindings-per-tenant); "
            + "they are freed as they go unused for tasks.retention";
    private static final IllegalStateException FULL = new IllegalStateException(FULL_DETAIL, null) {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    /** Anonymous tasks (bound to nobody, kept for their tool) count in one share of their own. */
    private static String shareOwner(String owner) {
        return owner == null ? "" : owner;
    }

    /** Whether the context on this route was started by a caller other than {@code caller} (false when not seen). */
    boolean contextBoundToAnother(TaskScope scope, String contextId, String caller) {
        String owner = lookUp(contextOwners, scope, contextId);
        return owner != null && !owner.equals(caller);
    }

    /**
     * Binds the task to the call that created it; a task already bound keeps its first binding (an answer cannot hand
     * another caller's task to this one). With a shared store, as {@link #learnContext}.
     */
    Future<Boolean> learn(TaskScope scope, String taskId, String tool, String owner, String instance) {
        Origin prior = lookUp(byTask, scope, taskId);
        Origin mine = new Origin(tool, owner, instance);
        if (prior == null) {
            if (!taskShares.take(shareOwner(owner))) {
                return Future.succeededFuture(false);
            }
            prior = bindFirst(byTask, scope, taskId, mine);
            if (prior != null) {
                taskShares.giveBack(shareOwner(owner)); // bound meanwhile, on another event loop
            }
        }
        if (shared == null || prior != null && (prior.boundToAnother(owner) || recentlyBound.getIfPresent(new SharedKey(false, scope, taskId)) != null)) {
            return Future.succeededFuture(true);
        }
        // New, or this caller's own whose binding the store may lack (its last write failed): handed out only once it is there.
        return onCaller(bindTask(scope, taskId, prior != null ? prior : mine)).map(v -> true);
    }

    private Future<Void> bindTask(TaskScope scope, String taskId, Origin origin) {
        SharedKey marked = new SharedKey(false, scope, taskId);
        recentlyBound.put(marked, Boolean.TRUE);
        return shared.bindTask(scope, taskId, origin.binding()).<Void>map(held -> {
            if (held != null) {
                // bound first through another replica: that binding is every replica's
                replace(byTask, taskShares, scope, taskId, Origin.of(held), o -> shareOwner(o.owner()));
            }
            return null;
        }).onFailure(e -> recentlyBound.invalidate(marked));
    }

    private Future<Void> bindContext(TaskScope scope, String contextId, String owner) {
        SharedKey marked = new SharedKey(true, scope, contextId);
        recentlyBound.put(marked, Boolean.TRUE);
        return shared.bindContext(scope, contextId, owner).<Void>map(held -> {
            if (held != null) {
                replace(contextOwners, contextShares, scope, contextId, held, Function.identity());
            }
            return null;
        }).onFailure(e -> recentlyBound.invalidate(marked));
    }

    /**
     * The store's binding in place of this replica's, under every key of the scope: the room moves to its owner's share
     * (the store's binding must hold), taken under the scope's name.
     */
    private static <T> void replace(Cache<Key, Held<T>> cache, BindingShares shares, TaskScope scope, String id, T held,
            Function<T, String> shareOf) {
        Held<T> replacing = new Held<>(held, scope.name());
        shares.force(shareOf.apply(held));
        for (String key : scope.keys()) {
            Held<T> old = cache.asMap().put(new Key(key, id), replacing);
            if (old != null && old.anchor().equals(key)) {
                shares.giveBack(shareOf.apply(old.value())); // replaced, not expired: its share is given back here
            }
        }
    }

    /** Keeps a binding read from the shared store under every key of the scope (one made here meanwhile wins). */
    private static <T> void keepFound(Cache<Key, Held<T>> cache, BindingShares shares, TaskScope scope, String id, T found,
            Function<T, String> shareOf) {
        if (bindFirst(cache, scope, id, found) == null) {
            shares.force(shareOf.apply(found));
        }
    }

    /** Closes the shared store's connections, if any (the gateway's close). */
    public void close() {
        if (shared != null) {
            shared.close();
        }
    }

    /** The store bindings are shared through, or null (this replica's memory only). */
    SharedTaskStore sharedStore() {
        return shared;
    }

    /** Whether bindings are shared with other replicas (then {@link #load} may have to wait for the store). */
    boolean shared() {
        return shared != null;
    }

    /**
     * Makes the bindings of these ids known here before they are read: those this replica lacks are fetched from the
     * shared store and kept (a binding learnt here meanwhile wins); those it has are bound again, not awaited, on every
     * use (kept in the store while in use, and written again at once if the store lost them: a Redis restart without
     * persistence, a failover, eviction; rate-limiting this left a lost binding nobody's on other replicas meanwhile).
     * Completes at once when there is no shared store or nothing is missing; fails when the store cannot answer, and the
     * caller then refuses (fail closed). Completes on {@code context}, the caller's event loop.
     */
    Future<Void> load(TaskScope scope, Collection<String> taskIds, Collection<String> contextIds, Context context) {
        if (shared == null) {
            return Future.succeededFuture();
        }
        Set<String> tasks = new LinkedHashSet<>();
        for (String id : taskIds) {
            Origin origin = lookUp(byTask, scope, id);
            if (origin == null) {
                tasks.add(id);
            } else {
                bindTask(scope, id, origin);
            }
        }
        Set<String> contexts = new LinkedHashSet<>();
        for (String id : contextIds) {
            String owner = lookUp(contextOwners, scope, id);
            if (owner == null) {
                contexts.add(id);
            } else {
                bindContext(scope, id, owner);
            }
        }
        if (tasks.isEmpty() && contexts.isEmpty()) {
            return Future.succeededFuture();
        }
        Future<Void> loaded = shared.find(scope, tasks, contexts).map(found -> {
            // The store restarted each one's retention as it read it (and copied it under the scope's keys that lacked it):
            // read counts as bound here. The store's bindings are known here whatever the shares hold: each is its
            // tenant's, bounded where it was made.
            found.tasks().forEach((id, b) -> {
                keepFound(byTask, taskShares, scope, id, Origin.of(b), o -> shareOwner(o.owner()));
                recentlyBound.put(new SharedKey(false, scope, id), Boolean.TRUE);
            });
            found.contextOwners().forEach((id, owner) -> {
                keepFound(contextOwners, contextShares, scope, id, owner, Function.identity());
                recentlyBound.put(new SharedKey(true, scope, id), Boolean.TRUE);
            });
            return null;
        });
        return context == null ? loaded : Future.fromCompletionStage(loaded.toCompletionStage(), context);
    }

    /** A store's answer back on the caller's event loop, where the answer waiting for it is relayed. */
    private static Future<Void> onCaller(Future<Void> bound) {
        Context context = Vertx.currentContext();
        return context == null ? bound : Future.fromCompletionStage(bound.toCompletionStage(), context);
    }

    /** Where the task on this route came from, or null when the gateway did not see it created. */
    Origin of(TaskScope scope, String taskId) {
        return lookUp(byTask, scope, taskId);
    }

    /** Whether the task on this route is bound to a caller other than {@code caller} (false for a task not seen created). */
    boolean boundToAnother(TaskScope scope, String taskId, String caller) {
        Origin origin = of(scope, taskId);
        return origin != null && origin.boundToAnother(caller);
    }

    /** Whether the task on this route is bound to exactly this caller. */
    boolean boundTo(TaskScope scope, String taskId, String caller) {
        Origin origin = of(scope, taskId);
        return origin != null && caller != null && caller.equals(origin.owner());
    }

    /** The tool whose call created the task on this route, or null when the gateway did not see it created. */
    String toolOf(TaskScope scope, String taskId) {
        Origin origin = of(scope, taskId);
        return origin == null ? null : origin.tool();
    }
}
