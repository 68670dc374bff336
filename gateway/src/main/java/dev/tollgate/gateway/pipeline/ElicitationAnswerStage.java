package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.approval.Approvals;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a client's answer to the gateway's own approval question ({@link ClientElicitation}): a POSTed JSON-RPC
 * response whose id is the gateway's. It decides the approval (yes only for an accepted form with {@code approve:
 * true}), is answered 202 as MCP answers a response, and never reaches the upstream, which asked nothing. Only the
 * caller whose call is held, in the session it was asked in, can answer for it: anyone else's answer changes nothing.
 */
final class ElicitationAnswerStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(ElicitationAnswerStage.class);

    private final Approvals approvals;

    ElicitationAnswerStage(Approvals approvals) {
        this.approvals = approvals;
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
        PendingApproval approval = approvals == null ? null : approvals.find(approvalId);
        String owner = CallerKey.of(exchange.identity());
        if (approval != null && java.util.Objects.equals(CallerKey.of(approval.request().caller()), owner)
                && ClientElicitation.sameSession(approvalId, exchange)) {
            boolean approve = !response.isError() && ClientElicitation.approves(response.result());
            String by = "client:" + (owner == null ? "anonymous" : owner);
            approvals.decide(approvalId, approve, by, approve ? "approved by the user in the client" : "declined by the user in the client");
        } else {
            LOG.warn("approval answer for {} ignored: {}", approvalId, approval == null ? "no such approval here" : "not the held call's caller");
        }
        exchange.response().setStatusCode(202).end();
        return StageResult.responded();
    }
}
