package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.approval.ApprovalOutcome;
import dev.tollgate.gateway.approval.Approvals;
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
 * <p>The state also names how the approval ended ({@link Ending}) and the {@link Approvals} instance that sealed it. A
 * retry is refused when the serving rule would no longer accept that ending (review BZ: a client's own yes once
 * {@code ask-client} is off, an allowing timeout once {@code on-timeout} is deny; {@link ApprovalStage}), and, without a
 * shared approvals store, when it reaches another instance than the one that sealed it ({@link RequestStateStage}):
 * only that one's marks say whether the round was let through already.
 *
 * @param approvalId the approval that let the call through
 * @param askedAt    when that approval was held
 * @param expiresAt  when this state stops being valid (fixed when handed out: a reload lengthening max-age does not extend it)
 * @param round      this round's random id: each state lets one retry through
 * @param sealedBy   the {@link Approvals#instance} that sealed it
 * @param ending     how the approval that let the call through ended
 * @param upstreamState the upstream's own requestState, or null when its answer carried none
 */
record ApprovedContinuation(String approvalId, Instant askedAt, Instant expiresAt, String round, String sealedBy, Ending ending,
                            String upstreamState) {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** An approval ended by the client's own answer ({@code ask-client}) is decided by {@code client:<caller>}. */
    private static final String BY_CLIENT = "client:";

    /** How the approval that let a call through ended: what the serving rule must still accept for a round to go on. */
    enum Ending {
        /** The client's user answered yes ({@code ask-client}; an approver naming itself {@code client:...} counts too: refused sooner, never later). */
        CLIENT("client"),
        /** An approver approved. */
        APPROVER("approver"),
        /** Nobody decided in time and the rule's {@code on-timeout} was allow. */
        TIMEOUT("timeout");

        private final String written;

        Ending(String written) {
            this.written = written;
        }

        /** As the state writes it. */
        String written() {
            return written;
        }

        static Ending of(ApprovalOutcome outcome) {
            if (outcome.verdict() == ApprovalOutcome.Verdict.TIMED_OUT_ALLOWED) {
                return TIMEOUT;
            }
            return outcome.by() != null && outcome.by().startsWith(BY_CLIENT) ? CLIENT : APPROVER;
        }

        static Ending read(String written) {
            for (Ending ending : values()) {
                if (ending.written.equals(written)) {
                    return ending;
                }
            }
            return null;
        }
    }

    /**
     * The approved call an exchange carries, as its next round's state names it: set by {@link ApprovalStage} when an
     * approval lets the call go on.
     *
     * @param sealedBy the {@link Approvals#instance} letting it go on, whose marks will guard its rounds
     */
    record Origin(String approvalId, Instant askedAt, Ending ending, String sealedBy) {
    }

    /** A new round of the approved call, for an answer relayed now. */
    static ApprovedContinuation next(Origin origin, Instant expiresAt, String upstreamState) {
        byte[] round = new byte[12];
        RANDOM.nextBytes(round);
        return new ApprovedContinuation(origin.approvalId(), origin.askedAt(), expiresAt, HexFormat.of().formatHex(round), origin.sealedBy(),
                origin.ending(), upstreamState);
    }

    /**
     * The approved call this exchange let through, carried into the state of an {@code input_required} answer; null
     * when none did (no approval, one that refused, or not one call).
     */
    static Origin approvedIn(Exchange exchange) {
        Origin origin = exchange.approvedOrigin();
        return origin != null && exchange.payload() instanceof dev.tollgate.protocols.jsonrpc.JsonRpcPayload.Single
                && !exchange.isDenied() ? origin : null;
    }

    /**
     * As sealed: the approval, when held, when the state expires, the round, who sealed it, how the approval ended, then
     * {@code -} or {@code =} and the upstream's state.
     */
    String written() {
        return approvalId + " " + askedAt.toEpochMilli() + " " + expiresAt.toEpochMilli() + " " + round + " " + sealedBy + " "
                + ending.written() + " " + (upstreamState == null ? "-" : "=" + upstreamState);
    }

    /** What {@link #written} wrote (authenticated by its seal); null when it is not in that form. */
    static ApprovedContinuation read(String written) {
        String[] parts = written.split(" ", 7);
        if (parts.length != 7 || Ending.read(parts[5]) == null || !(parts[6].equals("-") || parts[6].startsWith("="))) {
            return null;
        }
        try {
            return new ApprovedContinuation(parts[0], Instant.ofEpochMilli(Long.parseLong(parts[1])), Instant.ofEpochMilli(Long.parseLong(parts[2])),
                    parts[3], parts[4], Ending.read(parts[5]), parts[6].equals("-") ? null : parts[6].substring(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The key of this round's "let through once" mark. */
    String releaseKey() {
        return approvalId + "/round/" + round;
    }
}
