package dev.tollgate.gateway.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls whose cost is reported after the exchange that paid for them ended (review Y): a {@code tools/call} run as an MCP
 * task reports its cost in the answer to {@code tasks/result}, and a call whose stream the server closed before its
 * answer (SEP-1699 polling, or a client that hung up) reports it on the stream the client resumes. Such a call pays its
 * estimate when its own exchange ends, as before; its entry here lets the later answer charge what the upstream reports
 * beyond that estimate, once (the entry is taken by the first answer that settles it). A reported cost below the
 * estimate refunds nothing: the ledger only adds.
 *
 * <p>Bounded in count and time. A task's entry is shared through the task store when there is one
 * ({@code tasks: {store: redis}}: any replica relaying its result takes it, once); without one, and for streams, this
 * replica's memory only: a later answer relayed by another replica, or after a restart, finds no entry and the call
 * stays at its estimate.
 */
public final class DeferredCosts {

    static final long MAX_ENTRIES = 100_000;
    /** How long a stream's call waits for its answer on a resumed stream. */
    static final Duration STREAM_RESUME_WINDOW = Duration.ofHours(1);

    /** A charge already settled at {@code paidMicros}, whose answer is still to come. */
    public record Deferred(CallCharge charge, long paidMicros) {
    }

    private record TaskKey(String scope, String taskId) {
    }

    /** @param session the upstream session id, "" for a server that keeps none (it may still resume streams by event id) */
    private record StreamKey(String owner, String session) {
        StreamKey {
            session = session == null ? "" : session;
        }
    }

    private final Cache<TaskKey, Deferred> byTask;
    /** Per caller and upstream session, the calls by response key ({@code ResponseOutcome.key}). */
    private final Cache<StreamKey, Map<String, Deferred>> byStream;

    public DeferredCosts(Duration taskRetention) {
        this.byTask = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(taskRetention).build();
        this.byStream = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(STREAM_RESUME_WINDOW).build();
    }

    /** A call answered with a task ({@code result.task.taskId}): its cost comes with the task's result. */
    public void taskCreated(String scope, String taskId, Deferred deferred) {
        byTask.asMap().putIfAbsent(new TaskKey(scope, taskId), deferred);
    }

    /** Whether the answer to a {@code tasks/result} of this task settles a cost (so the exchange must read it). */
    public boolean awaitsTaskResult(String scope, String taskId) {
        return byTask.getIfPresent(new TaskKey(scope, taskId)) != null;
    }

    /** Takes the task's entry: only the first answer that settles the task charges it. */
    public Deferred takeTask(String scope, String taskId) {
        return byTask.asMap().remove(new TaskKey(scope, taskId));
    }

    /** A call whose stream ended without its answer; the answer may come on a stream the same caller resumes. */
    public void streamLeftUnanswered(String owner, String session, String responseKey, Deferred deferred) {
        byStream.asMap().computeIfAbsent(new StreamKey(owner, session), k -> new ConcurrentHashMap<>()).putIfAbsent(responseKey, deferred);
    }

    /** The calls of this caller's session still waiting for their answer on a resumed stream (empty when none). */
    public Map<String, Deferred> awaitingOnStream(String owner, String session) {
        Map<String, Deferred> calls = owner == null ? null : byStream.getIfPresent(new StreamKey(owner, session));
        return calls == null ? Map.of() : calls;
    }

    /** Takes one call's entry of a session: only the first resumed answer charges it. */
    public Deferred takeStreamCall(String owner, String session, String responseKey) {
        Map<String, Deferred> calls = byStream.getIfPresent(new StreamKey(owner, session));
        return calls == null ? null : calls.remove(responseKey);
    }
}
