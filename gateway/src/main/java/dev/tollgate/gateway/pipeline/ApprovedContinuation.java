package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.approval.ApprovalOutcome;
import dev.tollgate.gateway.approval.PendingApproval;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A call an approval let through, whose tool itself asks its user (MCP 2026-07-28 {@code input_required}), carried on
 * (review BT): the retry with the user's answer to the <em>tool</em> is a new request of the same call. Without this it
 * was decided as a new call and held again (an ask-client question asked again, an approver asked again), and the tool
 * ran, and an approval was spent, on every round.
 *
 * <p>The {@code input_required} answer to such a call is relayed with a requestState the gateway seals
 * ({@link dev.tollgate.gateway.session.SealedSessions#sealApprovedRequestState}) to the caller, the route and the call
 * (method, tool, arguments): it names the approval, this round (a random id, let through once:
 * {@link AskClientReleaseStage}), when it stops being valid, and the upstream's own state if it sent one (a server need
 * not: the SDK's confirmation example keeps none). The retry carrying it, for the very same call, from the same caller,
 * is part of the approved call: decided by the serving policy as any call is (a denial still refuses it), but not held
 * again. The upstream gets its own state back, or none when it sent none, and the client's {@code inputResponses}
 * unchanged. Another caller's state, another call's (a changed argument), an edited, expired or replayed one is refused.
 *
 * @param approvalId the approval that let the call through
 * @param askedAt    when that approval was held
 * @param expiresAt  when this state stops being valid (fixed when handed out: a reload lengthening max-age does not extend it)
 * @param round      this round's random id: each state lets one retry through
 * @param upstreamState the upstream's own requestState, or null when its answer carried none
 */
record ApprovedContinuation(String approvalId, Instant askedAt, Instant expiresAt, String round, String upstreamState) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new round of the approval, for an answer relayed now. */
    static ApprovedContinuation next(String approvalId, Instant askedAt, Instant expiresAt, String upstreamState) {
        byte[] round = new byte[12];
        RANDOM.nextBytes(round);
        return new ApprovedContinuation(approvalId, askedAt, expiresAt, HexFormat.of().formatHex(round), upstreamState);
    }

    /**
     * The approval that let this exchange's call through, carried into the state of an {@code input_required} answer; null
     * when none did (no approval, one that refused, or not one call).
     */
    static PendingApproval approvedIn(Exchange exchange) {
        PendingApproval approval = exchange.approval();
        ApprovalOutcome ended = approval == null ? null : approval.ended();
        return ended != null && ended.allows() && exchange.payload() instanceof dev.tollgate.protocols.jsonrpc.JsonRpcPayload.Single
                && !exchange.isDenied() ? approval : null;
    }

    /** As sealed: the approval, when held, when the state expires, the round, then {@code -} or {@code =} and the upstream's state. */
    String written() {
        return approvalId + " " + askedAt.toEpochMilli() + " " + expiresAt.toEpochMilli() + " " + round + " "
                + (upstreamState == null ? "-" : "=" + upstreamState);
    }

    /** What {@link #written} wrote (authenticated by its seal); null when it is not in that form. */
    static ApprovedContinuation read(String written) {
        String[] parts = written.split(" ", 5);
        if (parts.length != 5 || !(parts[4].equals("-") || parts[4].startsWith("="))) {
            return null;
        }
        try {
            return new ApprovedContinuation(parts[0], Instant.ofEpochMilli(Long.parseLong(parts[1])), Instant.ofEpochMilli(Long.parseLong(parts[2])),
                    parts[3], parts[4].equals("-") ? null : parts[4].substring(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The key of this round's "let through once" mark. */
    String releaseKey() {
        return approvalId + "/round/" + round;
    }
}
