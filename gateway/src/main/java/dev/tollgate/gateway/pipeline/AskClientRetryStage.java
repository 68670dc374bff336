package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.approval.ApprovalNotConfirmed;
import dev.tollgate.gateway.approval.ApprovalOutcome;
import dev.tollgate.gateway.approval.Approvals;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import io.vertx.core.Future;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a 2026-07-28 client's retry of a call the gateway asked its user about ({@link ClientInputRequired}): the same
 * {@code tools/call} with the gateway's requestState and {@code inputResponses["tollgate-approval"]}, the user's answer.
 * The answer ends the approval through {@link Approvals} (so a shared store's first-ending-wins holds, as for a 2025
 * client's answer), and the call then goes on as the approval ended ({@link ApprovalStage}: approved, it is forwarded
 * without being held again; denied or timed out, it is refused as any refused approval is), with a body the gateway
 * writes: without {@code inputResponses} and {@code requestState}, which were the gateway's and mean nothing upstream.
 * The approved call is marked let through (one approval, one call) only once every later stage let it go on
 * ({@link AskClientReleaseStage}).
 *
 * <p>A requestState the gateway did not write as its own is left alone, for later stages. One written as the
 * gateway's that does not open for this caller, on this route, for this very call (tool and arguments), or a retry
 * without an object answer, is refused 400 {@code invalid_params}, forwarding nothing: a yes is the caller's to give,
 * about the call it was asked about.
 */
final class AskClientRetryStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(AskClientRetryStage.class);

    private final Approvals approvals;
    private final ErrorResponder errors;

    AskClientRetryStage(Approvals approvals, ErrorResponder errors) {
        this.approvals = approvals;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "ask-client-retry";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        JsonRpcPayload payload = exchange.payload();
        if (payload == null) {
            return StageResult.proceed();
        }
        for (JsonRpcMessage message : payload.messages()) {
            if (!(message instanceof JsonRpcRequest request)) {
                continue;
            }
            AskClientState.Read read = AskClientState.read(exchange, request);
            if (read instanceof AskClientState.NotOurs) {
                continue;
            }
            JsonNode id = payload instanceof JsonRpcPayload.Single ? request.id().value() : null;
            if (payload instanceof JsonRpcPayload.Batch || !McpMethods.TOOLS_CALL.equals(request.method())) {
                return refuse(exchange, id, "the gateway's requestState answers a single tools/call, not this request");
            }
            if (read instanceof AskClientState.Refused refused) {
                LOG.info("ask-client retry refused: {}", refused.detail());
                return refuse(exchange, id, "params.requestState is not one this gateway handed you for this call: call again without it");
            }
            JsonNode answer = request.params().path("inputResponses").path(AskClientState.INPUT_KEY);
            if (!answer.isObject()) {
                return refuse(exchange, id, "params.inputResponses." + AskClientState.INPUT_KEY + " must be the answer (an object) to the gateway's question");
            }
            return answered(exchange, request, ((AskClientState.Ours) read).state(), answer);
        }
        return StageResult.proceed();
    }

    private Future<StageResult> answered(Exchange exchange, JsonRpcRequest request, AskClientState state, JsonNode answer) {
        if (approvals != null && approvals.releasedHere(state.approvalId())) {
            // A replay of a retry that went on here: refused at once, not decided (and held budget for) again.
            return AskClientReleaseStage.alreadyLetThrough(exchange, errors, request.id().value());
        }
        String owner = CallerKey.of(exchange.identity());
        boolean approve = ClientElicitation.approves(answer);
        String by = "client:" + (owner == null ? "anonymous" : owner);
        String reason = approve ? "approved by the user in the client" : "declined by the user in the client";
        return take(exchange, state.approvalId(), owner, approve, by, reason).transform(ar -> {
            if (ar.failed()) {
                LOG.warn("approval answer for {} not confirmed: {}", state.approvalId(), ar.cause().toString());
            }
            Approvals.Decided decided = ar.result();
            if (decided instanceof Approvals.Done done) {
                return goOn(exchange, request, answer(state, done.outcome()));
            }
            if (decided instanceof Approvals.AlreadyEnded ended) {
                // An approver decided first, or the timeout did: the call goes on as that ending says.
                return goOn(exchange, request, answer(state, ended.outcome()));
            }
            if (decided instanceof Approvals.Expired) {
                return goOn(exchange, request, answer(state, null));
            }
            int status = decided == null ? 503 : 404;
            LOG.warn("approval answer for {} not taken: {}", state.approvalId(), decided == null ? "not confirmed by Redis" : decided);
            exchange.errorType(RejectReason.APPROVAL_ANSWER_NOT_TAKEN.code());
            return errors.respond(exchange.response(), RejectReason.APPROVAL_ANSWER_NOT_TAKEN, status, request.id().value(),
                    status == 503 ? ApprovalNotConfirmed.clientDetail(ar.cause()) : "the approval is not known here; call again without the requestState")
                    .transform(done -> StageResult.responded());
        });
    }

    private static AskClientAnswer answer(AskClientState state, ApprovalOutcome outcome) {
        return new AskClientAnswer(state.approvalId(), state.askedAt(), outcome, state.expiresAt(), state.heldUpstream(),
                state.securedRateTokens(), state.questionHold());
    }

    /** Decides with the answer: here for a call held here, through Redis for one another replica holds. */
    private Future<Approvals.Decided> take(Exchange exchange, String approvalId, String owner, boolean approve, String by, String reason) {
        if (approvals == null) {
            return Future.succeededFuture(new Approvals.NotFound());
        }
        PendingApproval approval = approvals.find(approvalId);
        if (approval == null) {
            return approvals.answerAskedElsewhere(approvalId, ClientElicitation.asker(exchange), approve, by, reason);
        }
        if (!Objects.equals(CallerKey.of(approval.request().caller()), owner)) {
            return Future.succeededFuture(new Approvals.NotFound()); // the seal names the caller: defence in depth
        }
        return approvals.decide(approvalId, approve, by, reason);
    }

    private Future<StageResult> goOn(Exchange exchange, JsonRpcRequest request, AskClientAnswer answer) {
        exchange.askClientAnswer(answer);
        exchange.forwardWithoutParams(request, "inputResponses", "requestState");
        return StageResult.proceed();
    }

    private Future<StageResult> refuse(Exchange exchange, JsonNode id, String detail) {
        exchange.errorType(RejectReason.INVALID_PARAMS.code());
        return errors.respond(exchange.response(), RejectReason.INVALID_PARAMS, id, detail).transform(done -> StageResult.responded());
    }
}
