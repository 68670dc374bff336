package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.ApprovalTerms;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/** One call held for a person: what is asked, until when, and the outcome it waits for (a future: no thread waits). */
public final class PendingApproval {

    private final String id;
    private final ApprovalRequest request;
    private final ApprovalTerms terms;
    private final Instant createdAt;
    private final Instant expiresAt;
    private final Promise<ApprovalOutcome> outcome = Promise.promise();
    /** The held request's event loop: the outcome is delivered there, whichever thread decided (admin port, Redis, timer). */
    private final Context context;
    private final AtomicReference<ApprovalOutcome> ending = new AtomicReference<>();
    /** Set when the approved call was refused by a reload's recheck; shared with the history's {@link #summary}. */
    private final AtomicReference<ApprovalOverruled> overruled;
    /** Who was asked in the client ({@code caller key + "\n" + session}); null when nobody was. */
    private final String asker;
    private volatile long timerId = -1;
    /** Completes once the approval is published to the shared store (or could not be): endings run after it. */
    private volatile Future<Void> shared = Future.succeededFuture();

    PendingApproval(String id, ApprovalRequest request, ApprovalTerms terms, Instant createdAt, Context context, String asker) {
        this(id, request, terms, createdAt, context, asker, new AtomicReference<>());
    }

    private PendingApproval(String id, ApprovalRequest request, ApprovalTerms terms, Instant createdAt, Context context, String asker,
                            AtomicReference<ApprovalOverruled> overruled) {
        this.overruled = overruled;
        this.context = context;
        this.asker = asker;
        this.id = id;
        this.request = request;
        this.terms = terms;
        this.createdAt = createdAt;
        this.expiresAt = createdAt.plus(terms.timeout());
    }

    public String id() {
        return id;
    }

    public ApprovalRequest request() {
        return request;
    }

    public ApprovalTerms terms() {
        return terms;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    /** Completes when the approval ends, however it ends (never fails). */
    public Future<ApprovalOutcome> outcome() {
        return outcome.future();
    }

    /** @return false when the approval had already ended (the first ending wins) */
    boolean complete(ApprovalOutcome end) {
        if (!ending.compareAndSet(null, end)) {
            return false;
        }
        if (context == null) {
            outcome.complete(end);
        } else {
            context.runOnContext(v -> outcome.complete(end));
        }
        return true;
    }

    boolean isPending() {
        return ending.get() == null;
    }

    /** Records that the approved call was refused after all (the first such note stays). */
    void overruled(ApprovalOverruled note) {
        overruled.compareAndSet(null, note);
    }

    /**
     * Sets the note as the shared store has it (null: none), replacing this copy's: a 2026 retry refused once (noted)
     * may go through when sent again, and its release takes the note back (review AW).
     */
    void overruledAsStored(ApprovalOverruled note) {
        overruled.set(note);
    }

    /** Why the approved call was refused after all; null when it was not. */
    public ApprovalOverruled overruled() {
        return overruled.get();
    }

    /** How it ended; null while pending. */
    public ApprovalOutcome ended() {
        return ending.get();
    }

    /** The client question's caller and session ({@link Approvals#hold}); null when the client was not asked. */
    String asker() {
        return asker;
    }

    /** Completes (never fails) once other replicas can see this approval, or once publishing it failed. */
    public Future<Void> whenShared() {
        return shared;
    }

    void whenShared(Future<Void> published) {
        this.shared = published;
    }

    /**
     * An approval that ended before this request came, as the request records it: a 2026-07-28 client's retry that
     * carries its user's answer (ask-client) is a new request, and the call it carries was held by an earlier one, maybe on
     * another replica. Never held, timed or listed: it only says, on this request's span and audit record, which approval
     * let the call through (or refused it) and how.
     */
    public static PendingApproval ended(String id, ApprovalRequest request, ApprovalTerms terms, Instant createdAt, ApprovalOutcome outcome) {
        PendingApproval ended = new PendingApproval(id, request, terms, createdAt, null, null);
        ended.complete(outcome);
        return ended;
    }

    /**
     * What the history keeps once this has ended: the same listing, but the arguments as a bounded string, never the
     * tree (a tree costs tens of times its JSON text, and ended approvals are kept by the thousand).
     */
    PendingApproval summary(int maxArgumentChars) {
        PendingApproval copy = new PendingApproval(id, request.withArgumentsCut(maxArgumentChars), terms, createdAt, null, null, overruled);
        copy.ending.set(ending.get());
        copy.outcome.tryComplete(ending.get());
        return copy;
    }

    long timerId() {
        return timerId;
    }

    void timerId(long id) {
        this.timerId = id;
    }

    /** As listed and as sent to the webhook. */
    public ObjectNode toJson() {
        ObjectNode out = request.toJson();
        out.put("id", id);
        ApprovalOutcome end = ending.get();
        out.put("state", end == null ? "pending" : end.verdict().label());
        out.put("created_at", createdAt.toString());
        out.put("expires_at", expiresAt.toString());
        out.put("on_timeout", terms.onTimeout().name().toLowerCase(java.util.Locale.ROOT));
        if (!terms.approvers().isEmpty()) {
            terms.approvers().forEach(out.putArray("approvers")::add);
        }
        if (end != null) {
            out.set("decision", end.toJson());
        }
        ApprovalOverruled refusedAfter = overruled.get();
        if (refusedAfter != null) {
            out.set("superseded", refusedAfter.toJson());
        }
        return out;
    }
}
