package dev.tollgate.gateway.approval;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Approvals visible to every replica (Redis): a replica publishes what it holds, any replica may decide any of
 * them, and the decision reaches the replica holding the call.
 */
interface SharedApprovals {

    /** Publishes a new pending approval held by this replica. */
    Future<Void> held(PendingApproval approval);

    /** Records how an approval held here ended (a local decision, a timeout, a cancel). */
    Future<Void> ended(PendingApproval approval, ApprovalOutcome outcome);

    /** Decides an approval held by another replica: done, already ended (with how), or not found. */
    Future<Approvals.Decided> decideRemote(String id, ApprovalOutcome outcome);

    /** Every approval still pending on any replica, as listed. */
    Future<List<com.fasterxml.jackson.databind.node.ObjectNode>> pending();

    /** Starts delivering decisions taken elsewhere for approvals held here: {@code onDecision(id, outcome)}. */
    void listen(BiConsumer<String, ApprovalOutcome> onDecision);

    Future<Void> close();
}
