package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Approvals visible to every replica (Redis): a replica publishes what it holds, any replica may decide any of
 * them, and the decision reaches the replica holding the call. The store is the only arbiter: every ending, on any
 * replica (a decision, a client's answer, a timeout, a cancel, a stop), is one atomic "pending to ended" step there,
 * and whoever loses it follows the ending recorded first.
 */
interface SharedApprovals {

    /** Publishes a new pending approval held by this replica (never over an approval the store already has). */
    Future<Void> held(PendingApproval approval);

    /**
     * Ends an approval held here if the store still has it pending: {@link Approvals.Done} with ours, {@link
     * Approvals.AlreadyEnded} with the ending recorded first, {@link Approvals.Expired} for a person's decision after
     * the deadline. An approval the store never had is recorded as ended (so a late publication cannot revive it).
     *
     * A person's decision that Redis does not confirm in time fails with {@link ApprovalNotConfirmed}: it is read
     * back first, so the failure says whether it was recorded, and it never takes effect after that answer.
     *
     * @param person a person's decision (refused after the deadline), not the gateway's own ending
     */
    Future<Approvals.Decided> end(PendingApproval approval, ApprovalOutcome outcome, boolean person);

    /**
     * Decides an approval held by another replica, through the same step: done, already ended (with how), expired,
     * or not found; or {@link ApprovalNotConfirmed} as for {@link #end}.
     *
     * @param asker for a client's answer, who was asked ({@link PendingApproval#asker()}); null for an approver
     */
    Future<Approvals.Decided> decideRemote(String id, ApprovalOutcome outcome, String asker);

    /**
     * Adds to an ended approval's record that its approved call was refused after all (nothing when the store has none,
     * or when a retry already let its call through).
     */
    Future<Void> overruled(String id, ApprovalOverruled note);

    /** Takes back such a note: a 2026 retry of the call, refused once, went through when sent again. */
    Future<Void> letThrough(String id);

    /** The supersession notes the store has for these approvals (one round trip), by id; those without one are absent. */
    Future<java.util.Map<String, ApprovalOverruled>> overruledAmong(List<String> ids);

    /** The approval as the store has it (held by any replica, pending or ended), or null when it has none. */
    Future<ObjectNode> read(String id);

    /**
     * Marks the approval's call as let through, once across replicas: true for the first mark, false when one was made
     * (kept {@code keepMillis}, and an hour more: a replica whose clock lags takes the state as valid for longer). A 2026
     * client's approved retry is one call, whichever replica it is sent to.
     */
    Future<Boolean> releaseOnce(String id, long keepMillis);

    /**
     * Takes back this replica's last confirmed release of the approval (its call was never sent upstream): the mark goes
     * if it is still that release's, so the retry sent again goes on. Nothing when there is none.
     */
    void unrelease(String id);

    /** The call of this replica's last release of the approval was sent: its release is no longer taken back. */
    void releaseKept(String id);

    /** Every approval still pending on any replica, as listed. */
    Future<List<ObjectNode>> pending();

    /** Starts delivering decisions taken elsewhere for approvals held here: {@code onDecision(id, outcome)}. */
    void listen(BiConsumer<String, ApprovalOutcome> onDecision);

    Future<Void> close();
}
