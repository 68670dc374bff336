package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.approval.ApprovalNotConfirmed;
import dev.tollgate.gateway.approval.Approvals;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import io.vertx.core.Future;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a client's answer to the gateway's own approval question ({@link ClientElicitation}): a POSTed JSON-RPC
 * response whose id is the gateway's. It decides the approval (yes only for an accepted form with {@code approve:
 * true}), is answered 202 as MCP answers a response, and never reaches the upstream, which asked nothing. Only the
 * caller whose call is held, in the session it was asked in, can answer for it. An answer for a call another replica
 * holds (shared store) is checked and recorded through Redis. An answer that decided nothing (someone else's, too
 * late, unknown) gets an error, never 202: the client must not believe it was heard.
 */
final class ElicitationAnswerStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(ElicitationAnswerStage.class);

    private final Approvals approvals;
    private final ErrorResponder errors;

    ElicitationAnswerStage(Approvals approvals, ErrorResponder errors) {
        this.approvals = approvals;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "elicitation-answer";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (!(exchange.payload() instanceof JsonRpcPayload.Single single) || !(single.message() instanceof JsonRpcResponse response)
                || response.id() == null) {
            return StageResult.proceed();
        }
        String approvalId = ClientElicitation.approvalId(response.id().value());
        if (approvalId == null) {
            return StageResult.proceed();
        }
        String owner = CallerKey.of(exchange.identity());
        boolean approve = !response.isError() && ClientElicitation.approves(response.result());
        String by = "client:" + (owner == null ? "anonymous" : owner);
        String reason = approve ? "approved by the user in the client" : "declined by the user in the client";
        return take(exchange, approvalId, owner, approve, by, reason).transform(ar -> {
            if (ar.failed()) {
                LOG.warn("approval answer for {} not confirmed: {}", approvalId, ar.cause().toString());
            }
            Approvals.Decided decided = ar.result();
            if (decided instanceof Approvals.Done) {
                exchange.response().setStatusCode(202).end();
                return StageResult.responded();
            }
            int status = decided == null ? 503 : decided instanceof Approvals.NotFound ? 404 : 409;
            LOG.warn("approval answer for {} not taken: {}", approvalId, decided == null ? "not confirmed by Redis" : decided);
            exchange.errorType(RejectReason.APPROVAL_ANSWER_NOT_TAKEN.code());
            return errors.respond(exchange.response(), RejectReason.APPROVAL_ANSWER_NOT_TAKEN, status, null,
                    status == 409 ? "the approval has already ended" : status == 503 ? ApprovalNotConfirmed.clientDetail(ar.cause()) : null)
                    .transform(done -> StageResult.responded());
        });
    }

    /** Decides with the answer: here for a question asked here, through Redis for one another replica asked. */
    private Future<Approvals.Decided> take(Exchange exchange, String approvalId, String owner, boolean approve, String by, String reason) {
        if (approvals == null) {
            return Future.succeededFuture(new Approvals.NotFound());
        }
        PendingApproval approval = approvals.find(approvalId);
        if (approval == null) {
            return approvals.answerAskedElsewhere(approvalId, ClientElicitation.asker(exchange), approve, by, reason);
        }
        if (!Objects.equals(CallerKey.of(approval.request().caller()), owner) || !ClientElicitation.sameSession(approvalId, exchange)) {
            return Future.succeededFuture(approval.ended() != null && Objects.equals(CallerKey.of(approval.request().caller()), owner)
                    ? new Approvals.AlreadyEnded(approval.ended()) : new Approvals.NotFound());
        }
        return approvals.decide(approvalId, approve, by, reason);
    }
}
