package dev.tollgate.gateway.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.gateway.routing.TaskScope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/**
 * Calls whose cost is reported after the exchange that paid for them ended (review Y): a {@code tools/call} run as an MCP
 * task reports its cost in the answer to {@code tasks/result}, and a call whose stream the server closed before its
 * answer (SEP-1699 polling, or a client that hung up) reports it on the stream the client resumes. Such a call pays its
 * estimate when its own exchange ends, as before; its entry here lets the later answer charge what the upstream reports
 * beyond that estimate, once (the entry is taken by the first answer that settles it). A reported cost below the
 * estimate refunds nothing: the ledger only adds.
 *
 * <p>Bounded in count and time. Entries are shared through the task store when there is one
 * ({@code tasks: {store: redis}}: any replica relaying the task's result, or the resumed stream's answer, takes it, once);
 * without one, this replica's memory only: a later answer relayed by another replica, or after a restart, finds no entry
 * and the call stays at its estimate.
 */
public final class DeferredCosts {

    static final long MAX_ENTRIES = 100_000;
    /** How long a stream's call waits for its answer on a resumed stream, from the moment its own stream ended. */
    static final Duration STREAM_RESUME_WINDOW = Duration.ofHours(1);
    /** How long a task's result relayed before the call that created the task ended waits for that call. */
    static final Duration EARLY_RESULT_WINDOW = Duration.ofMinutes(10);

    /** A charge already settled at {@code paidMicros}, whose answer is still to come. */
    public record Deferred(CallCharge charge, long paidMicros) {
    }

    /**
     * What a resumed stream's answer to a request settles: a call's cost ({@code charge}), or the result of the task a
     * {@code tasks/result} asked for ({@code taskId}), whose stream ended before its answer too.
     */
    public record StreamAnswer(Deferred charge, String taskId) {

        public static StreamAnswer ofCharge(Deferred charge) {
            return new StreamAnswer(charge, null);
        }

        public static StreamAnswer ofTaskResult(String taskId) {
            return new StreamAnswer(null, taskId);
        }
    }

    private record TaskKey(String scope, String taskId) {
    }

    /**
     * One request of a caller's session: its own entry, so each call waits its own window (review Z: one window per
     * session ran from its first call). Calls reusing the request id queue under it, each answer taking the oldest.
     *
     * @param session the upstream session id, "" for a server that keeps none (it may still resume streams by event id)
     */
    private record StreamKey(String owner, String session, String requestId) {
        StreamKey {
            session = session == null ? "" : session;
            requestId = heldAs(requestId);
        }
    }

    /** A request id whose JSON text is at most this long is held as it is; a longer one as its digest. */
    static final int MAX_KEPT_ID_CHARS = 64;

    /**
     * What a request id (its JSON text) is held as for {@link #STREAM_RESUME_WINDOW}: itself when short, else
     * {@code sha256:} and the hex SHA-256 of the text, which no JSON string or number begins with, so a digest is never a
     * short id (review AG: the id is the client's, up to the body limit, and an hour is long to hold megabytes).
     */
    static String heldAs(String requestId) {
        if (requestId == null || requestId.length() <= MAX_KEPT_ID_CHARS) {
            return requestId;
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return "sha256:" + HexFormat.of().formatHex(sha256.digest(requestId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * One entry filed under every key of its task's scope ({@link TaskScope#keys}), the same holder under each: found
     * under any of them (a reload that renames the scope keeps the others, review BG), taken once, and then removed
     * under every key it was filed under. It names the scope it was filed for ({@code madeUnder}, the scope's name), as
     * a task's binding does: one found under a key that a reload gave to another server (a scope now
     * {@link TaskScope#foreign}) is that server's old entry, not the reader's task's, and is passed over (fix AA: the other
     * server's task of the same id settled the first one's cost).
     */
    private static final class Filed<T> {
        final T value;
        final List<String> scopes;
        final String madeUnder;

        Filed(T value, TaskScope scope) {
            this.value = value;
            this.scopes = scope.keys();
            this.madeUnder = scope.name();
        }
    }

    private final Cache<TaskKey, Filed<Deferred>> byTask;
    private final Cache<TaskKey, Filed<PricingTable.ResultCost>> earlyResults;
    private final Cache<StreamKey, Deque<StreamAnswer>> byStream;

    public DeferredCosts(Duration taskRetention) {
        // Bounded in tasks, not keys: an entry's copies share one task's weight.
        this.byTask = Caffeine.newBuilder().maximumWeight(MAX_ENTRIES * TASK_WEIGHT).weigher(DeferredCosts::weight)
                .expireAfterWrite(taskRetention).build();
        this.earlyResults = Caffeine.newBuilder().maximumWeight(MAX_ENTRIES * TASK_WEIGHT).weigher(DeferredCosts::weight)
                .expireAfterWrite(EARLY_RESULT_WINDOW).build();
        this.byStream = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(STREAM_RESUME_WINDOW).build();
    }

    /** What one task's entry weighs, shared among its copies under the scope's keys. */
    private static final int TASK_WEIGHT = 64;

    private static int weight(TaskKey key, Filed<?> filed) {
        return Math.max(1, TASK_WEIGHT / filed.scopes.size());
    }

    /** As {@link #taskCreated(TaskScope, String, Deferred)} for a scope of one key. */
    public PricingTable.ResultCost taskCreated(String scope, String taskId, Deferred deferred) {
        return taskCreated(TaskScope.named(scope), taskId, deferred);
    }

    /** As {@link #taskCreated(TaskScope, String, Deferred)} for a scope of these keys alone in its configuration. */
    public PricingTable.ResultCost taskCreated(List<String> scopes, String taskId, Deferred deferred) {
        return taskCreated(alone(scopes), taskId, deferred);
    }

    /**
     * A call answered with a task ({@code result.task.taskId}): its cost comes with the task's result. Filed under every
     * key of the task's scope, so the result finds it under any key its own exchange's scope still has.
     *
     * @return the cost of the task's result when it was relayed already (then nothing is kept: the caller settles it now)
     */
    public synchronized PricingTable.ResultCost taskCreated(TaskScope scope, String taskId, Deferred deferred) {
        PricingTable.ResultCost early = take(earlyResults, scope, taskId);
        if (early == null && find(byTask, scope, taskId) == null) {
            file(byTask, scope, taskId, deferred);
        }
        return early;
    }

    /** As {@link #takeTask(TaskScope, String)} for a scope of one key. */
    public Deferred takeTask(String scope, String taskId) {
        return takeTask(TaskScope.named(scope), taskId);
    }

    /** As {@link #takeTask(TaskScope, String)} for a scope of these keys alone in its configuration. */
    public Deferred takeTask(List<String> scopes, String taskId) {
        return takeTask(alone(scopes), taskId);
    }

    /**
     * Takes the task's entry, found under any of the scope's keys (another server's found there is not: see {@link Filed}):
     * only the first answer that settles the task charges it.
     */
    public synchronized Deferred takeTask(TaskScope scope, String taskId) {
        return take(byTask, scope, taskId);
    }

    /** As {@link #taskResultFirst(TaskScope, String, PricingTable.ResultCost)} for a scope of one key. */
    public void taskResultFirst(String scope, String taskId, PricingTable.ResultCost cost) {
        taskResultFirst(TaskScope.named(scope), taskId, cost);
    }

    /** As {@link #taskResultFirst(TaskScope, String, PricingTable.ResultCost)} for a scope of these keys alone in its configuration. */
    public void taskResultFirst(List<String> scopes, String taskId, PricingTable.ResultCost cost) {
        taskResultFirst(alone(scopes), taskId, cost);
    }

    private static TaskScope alone(List<String> scopes) {
        return new TaskScope(scopes.get(0), scopes);
    }

    /**
     * A task's result relayed while no call awaits it here: kept a while for the call that created the task, whose
     * exchange may still be open (review Z: a tasks/result sent on a second connection before the creating stream ended
     * went uncharged). The first result is kept; filed under every key of the scope, as a call's entry is.
     */
    public synchronized void taskResultFirst(TaskScope scope, String taskId, PricingTable.ResultCost cost) {
        if (find(earlyResults, scope, taskId) == null) {
            file(earlyResults, scope, taskId, cost);
        }
    }

    /** The entry under the first of the scope's keys that holds one of this scope's (not another server's now). */
    private static <T> Filed<T> find(Cache<TaskKey, Filed<T>> cache, TaskScope scope, String taskId) {
        for (String key : scope.keys()) {
            Filed<T> filed = cache.getIfPresent(new TaskKey(key, taskId));
            if (filed != null && scope.owns(filed.madeUnder)) {
                return filed;
            }
        }
        return null;
    }

    /** Files the entry under every key of the scope, in place of another server's copy found under one of them. */
    private static <T> void file(Cache<TaskKey, Filed<T>> cache, TaskScope scope, String taskId, T value) {
        Filed<T> filed = new Filed<>(value, scope);
        filed.scopes.forEach(key -> cache.put(new TaskKey(key, taskId), filed));
    }

    /** The entry found under the first of the keys that holds one of this scope's, removed under every key it was filed under. */
    private static <T> T take(Cache<TaskKey, Filed<T>> cache, TaskScope scope, String taskId) {
        Filed<T> filed = find(cache, scope, taskId);
        if (filed == null) {
            return null;
        }
        filed.scopes.forEach(key -> cache.asMap().remove(new TaskKey(key, taskId), filed));
        return filed.value;
    }

    /** A request whose stream ended without its answer; the answer may come on a stream the same caller resumes. */
    public void streamLeftUnanswered(String owner, String session, String requestId, StreamAnswer awaited) {
        byStream.asMap().compute(new StreamKey(owner, session, requestId), (k, queue) -> {
            Deque<StreamAnswer> calls = queue == null ? new ArrayDeque<>(1) : queue;
            calls.addLast(awaited);
            return calls;
        });
    }

    /**
     * Drops one entry (this very one) once the shared store holds it: the store's copy is the one then.
     *
     * @return false when it was taken already (a resumed answer on this replica came before the store's write completed)
     */
    public boolean dropStreamAnswer(String owner, String session, String requestId, StreamAnswer awaited) {
        boolean[] dropped = new boolean[1];
        byStream.asMap().computeIfPresent(new StreamKey(owner, session, requestId), (k, queue) -> {
            dropped[0] = queue.removeIf(entry -> entry == awaited);
            return queue.isEmpty() ? null : queue;
        });
        return dropped[0];
    }

    /** Whether a request of this caller's session awaits its answer on a resumed stream. */
    public boolean awaitsOnStream(String owner, String session, String requestId) {
        return owner != null && requestId != null && byStream.getIfPresent(new StreamKey(owner, session, requestId)) != null;
    }

    /** Takes the oldest entry of a request of a session: only the first resumed answer settles it. */
    public StreamAnswer takeStreamAnswer(String owner, String session, String requestId) {
        StreamAnswer[] taken = new StreamAnswer[1];
        byStream.asMap().computeIfPresent(new StreamKey(owner, session, requestId), (k, queue) -> {
            taken[0] = queue.pollFirst();
            return queue.isEmpty() ? null : queue;
        });
        return taken[0];
    }
}
