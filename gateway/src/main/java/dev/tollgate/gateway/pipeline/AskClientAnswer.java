package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.approval.ApprovalOutcome;
import java.time.Instant;

/**
 * The user's answer a 2026-07-28 client's retry carried ({@link AskClientRetryStage}), once the approval it answers
 * has ended: the call goes on as that ending says ({@link ApprovalStage}), never held again.
 *
 * @param approvalId the approval the retry answered
 * @param askedAt    when it was held
 * @param outcome    how it ended (the user's answer, or an approver's earlier decision, or its timeout); null when the
 *                   store says its deadline passed before the answer came, so its {@code on-timeout} applies
 * @param stateExpires when the requestState the retry carried stops being valid ({@link AskClientState#expiresAt}): the
 *                     "let through once" mark ({@link AskClientReleaseStage}) is kept past it
 * @param heldUpstream the route's upstream when the call was held ({@link HeldUpstream}); null for an older state
 * @param securedRateTokens the rate-limit tokens the question's leg took; null for an older state
 * @param questionHold the question leg's parked budget hold, for the retry to take over ({@link PolicyStage}); null when
 *                     it held none
 */
record AskClientAnswer(String approvalId, Instant askedAt, ApprovalOutcome outcome, Instant stateExpires, String heldUpstream,
                       java.util.Set<String> securedRateTokens, String questionHold) {
}
