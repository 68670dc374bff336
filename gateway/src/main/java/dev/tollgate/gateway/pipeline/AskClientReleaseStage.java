package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.approval.ApprovalNotConfirmed;
import dev.tollgate.gateway.approval.Approvals;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the approved call of a 2026-07-28 client's ask-client retry ({@link AskClientRetryStage}) through once, right
 * before it is forwarded: the requestState it carried stays valid after the answer (it is sealed, not stored), so
 * without this the same caller could send the approved retry again and again, each forwarded. Marked only here, after
 * every stage that may refuse the call (policy, its rate limits and budget, the approval's recheck, enforce, the task
 * table): marked before them, a refused retry spent the user's yes, and the retry sent again was told 409 although
 * nothing had been forwarded (review AS). A retry carrying on an approved call with the state relayed on its
 * {@code input_required} answer ({@link ApprovedContinuation}) is let through once per state the same way.
 */
final class AskClientReleaseStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(AskClientReleaseStage.class);
    /** Replicas' clocks may disagree: the mark outlives the state's expiry by this much more (and Redis keeps it an hour more). */
    private static final Duration CLOCK_MARGIN = Duration.ofMinutes(1);
    private static final String ALREADY_LET_THROUGH = "the approval has already let its call through: one approval, one call";

    private final Approvals approvals;
    private final ErrorResponder errors;

    AskClientReleaseStage(Approvals approvals, ErrorResponder errors) {
        this.approvals = approvals;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "ask-client-release";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        AskClientAnswer answer = exchange.askClientAnswer();
        ApprovedContinuation continued = exchange.approvedContinuation();
        if (answer == null && (continued == null || exchange.approval() == null) || approvals == null) {
            return StageResult.proceed();
        }
        // A retry carrying on an approved call (review BT) is let through once per round, as the answered retry is once.
        String key = answer != null ? answer.approvalId() : continued.releaseKey();
        Instant keepUntil = (answer != null ? answer.stateExpires() : continued.expiresAt()).plus(CLOCK_MARGIN);
        return approvals.releaseOnce(key, keepUntil).transform(released -> {
            if (released.succeeded() && released.result()) {
                if (answer != null) {
                    approvals.letThrough(answer.approvalId());
                }
                // Spent only if the call reaches the upstream: one that fails before it is sent keeps the user's yes.
                exchange.onComplete(() -> approvals.releaseEnded(key, exchange.sentUpstream()));
                return StageResult.proceed();
            }
            boolean unknown = released.failed();
            LOG.warn("approval {}: {}", key, unknown ? "the let-through mark was not confirmed (Redis did not answer in time): refused"
                    : "a retry came again after its call went on; refused");
            exchange.errorType(RejectReason.APPROVAL_ANSWER_NOT_TAKEN.code());
            // This attempt forwards nothing when Redis did not confirm its mark, and a mark it may have set is given back
            // (RedisApprovals.releaseOnce): the retry sent again goes on.
            return errors.respond(exchange.response(), RejectReason.APPROVAL_ANSWER_NOT_TAKEN, unknown ? 503 : 409, id(exchange),
                    unknown ? (released.cause() instanceof ApprovalNotConfirmed.NotRecorded
                            ? "the call was not let through (Redis did not answer in time); send it again"
                            : "the call was not let through (Redis did not answer in time); send it again in a few seconds")
                            : ALREADY_LET_THROUGH)
                    .transform(done -> StageResult.responded());
        });
    }

    /** The answer to a retry of an approval whose call already went on. */
    static Future<StageResult> alreadyLetThrough(Exchange exchange, ErrorResponder errors, com.fasterxml.jackson.databind.JsonNode id) {
        exchange.errorType(RejectReason.APPROVAL_ANSWER_NOT_TAKEN.code());
        return errors.respond(exchange.response(), RejectReason.APPROVAL_ANSWER_NOT_TAKEN, 409, id, ALREADY_LET_THROUGH)
                .transform(done -> StageResult.responded());
    }

    private static com.fasterxml.jackson.databind.JsonNode id(Exchange exchange) {
        return exchange.payload() instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request
                ? request.id().value() : null;
    }
}
