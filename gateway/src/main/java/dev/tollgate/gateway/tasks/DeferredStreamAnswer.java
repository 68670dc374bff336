package dev.tollgate.gateway.tasks;

/**
 * What a request whose stream ended unanswered awaits on a resumed stream, as replicas share it (see
 * {@link dev.tollgate.gateway.budget.DeferredCosts.StreamAnswer}): a call's charge, or the task a {@code tasks/result}
 * asked for; exactly one of the two.
 *
 * @param nonce tells this entry from another with the same content (calls reusing a request id), so the replica that
 *              wrote it can take back exactly this one
 */
public record DeferredStreamAnswer(DeferredTaskCost charge, String taskId, String nonce) {
}
