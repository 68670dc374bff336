package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.approval.Approvals;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.RequestStateCall;
import io.vertx.core.Future;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MCP 2026-07-28 retry ({@code params.requestState}, with {@code inputResponses}) must carry the state the gateway
 * relayed to this caller for this call: McpResponseFilter seals every {@code requestState} it relays
 * ({@link RequestStateSeal}, {@link SealedSessions#sealRequestState}) to the caller, the route and the call it answers (method,
 * tool name or uri, digest of the arguments). The upstream gets its own state back, in a body the gateway writes
 * ({@link RewrittenRequest}; to the instance that answered). Anything else is refused
 * 400 {@code invalid_params} and nothing is forwarded: another caller's state (behind the gateway every caller is the same
 * one to the upstream, so a server binding its state to its caller cannot tell them apart), a state for other arguments
 * (policy decided these; a server trusting its state would act on the state's), a made-up, edited or expired one, one
 * that is not a string (null included: the SDK hands a present key to the tool whatever it holds), and any in a batch
 * (2026-07-28 has no batches). A state relayed on the {@code input_required} answer to a call an approval let through is
 * opened the same way ({@link ApprovedContinuation}): the retry carrying it is part of that approved call.
 */
final class RequestStateStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(RequestStateStage.class);
    static final String REQUEST_STATE = "requestState";
    private static final String CLIENT_DETAIL =
            "params.requestState is not a state this gateway relayed to you for this call: make the call again without one";
    /** As for the ask-client retry of an approval not known here ({@link AskClientRetryStage}). */
    private static final String NOT_KNOWN_HERE = "the approval is not known here; call again without the requestState";

    private final ErrorResponder errors;
    /** Whose let-through marks guard a round of an approved call ({@link Approvals#keepsMarksOf}); null without approvals. */
    private final Approvals approvals;

    RequestStateStage(ErrorResponder errors, Approvals approvals) {
        this.errors = errors;
        this.approvals = approvals;
    }

    @Override
    public String name() {
        return "request-state";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        JsonRpcPayload payload = exchange.payload();
        if (payload == null || exchange.askClientAnswer() != null) {
            // A retry answering the gateway's own ask-client question (AskClientRetryStage): its requestState was the
            // gateway's, opened and taken there, and is not forwarded; it relays no upstream state.
            return StageResult.proceed();
        }
        for (JsonRpcMessage message : payload.messages()) {
            JsonNode state = stateOf(message);
            if (state == null) {
                continue;
            }
            JsonRpcRequest request = (JsonRpcRequest) message;
            SealedSessions.Opened opened = !state.isTextual() || payload instanceof JsonRpcPayload.Batch ? null
                    : exchange.snapshot().sessions().openRequestState(exchange.route().route().name(), exchange.identity(),
                            RequestStateCall.of(request.method(), request.params()), state.textValue(), Instant.now());
            ApprovedContinuation continued = null;
            if (opened instanceof SealedSessions.Unknown) {
                // Relayed on the input_required answer to a call an approval let through (review BT)?
                SealedSessions.Opened approved = exchange.snapshot().sessions().openApprovedRequestState(exchange.route().route().name(),
                        exchange.identity(), RequestStateCall.of(request.method(), request.params()), state.textValue(), Instant.now());
                if (approved instanceof SealedSessions.Valid valid) {
                    continued = ApprovedContinuation.read(valid.upstreamId());
                    opened = continued == null ? new SealedSessions.Unknown("an approved call's state not in the gateway's form")
                            : Instant.now().isAfter(continued.expiresAt())
                            ? new SealedSessions.Unknown("an approved call's state expired at " + continued.expiresAt())
                            : new SealedSessions.Valid(continued.upstreamState(), valid.instance());
                } else if (!approved.equals(SealedSessions.NOT_A_RELAYED_STATE)) {
                    opened = approved; // written as an approved call's state: why it does not open is its
                }
            }
            if (!(opened instanceof SealedSessions.Valid valid) || !SessionStage.holdsInstance(exchange, valid.instance())) {
                // Why, for the operator only (another caller's, another call's, expired): the client is told "not yours".
                String why = !state.isTextual() ? "not a string" : opened == null ? "in a batch"
                        : opened instanceof SealedSessions.Unknown unknown ? unknown.detail() : "its upstream instance is no longer configured";
                CallLogContext.log(exchange, () -> LOG.info("route {}: requestState refused ({})", exchange.route().route().name(), why));
                exchange.errorType(RejectReason.INVALID_PARAMS.code());
                errors.respond(exchange.response(), RejectReason.INVALID_PARAMS, payload instanceof JsonRpcPayload.Single ? request.id().value() : null,
                        CLIENT_DETAIL);
                return StageResult.responded();
            }
            if (continued != null && approvals != null && !approvals.keepsMarksOf(continued.sealedBy())) {
                // Review BZ: sealed before a restart, or by another replica sharing sessions.keys, with the in-memory store:
                // no mark here says whether this round was let through already, so it is refused (nothing forwarded), as
                // the ask-client retry of an approval not known here is. The client calls again, and is held again.
                String approvalId = continued.approvalId();
                CallLogContext.log(exchange, () -> LOG.info("route {}: approval {}: a round sealed by another gateway instance"
                        + " (in-memory approvals store) refused", exchange.route().route().name(), approvalId));
                exchange.errorType(RejectReason.APPROVAL_ANSWER_NOT_TAKEN.code());
                errors.respond(exchange.response(), RejectReason.APPROVAL_ANSWER_NOT_TAKEN, request.id().value(), NOT_KNOWN_HERE);
                return StageResult.responded();
            }
            if (continued != null) {
                // Part of the approved call: not held again (ApprovalStage), let through once (AskClientReleaseStage).
                exchange.approvedContinuation(continued);
            }
            if (valid.upstreamId() == null) {
                exchange.forwardWithoutParams(request, REQUEST_STATE); // the upstream sent none: its inputResponses go on alone
            } else {
                exchange.forwardWithParam(request, REQUEST_STATE, valid.upstreamId());
            }
            if (valid.instance() != null && exchange.pinnedUpstream() == null) {
                exchange.pinnedUpstream(valid.instance());
            }
        }
        return StageResult.proceed();
    }

    /** The requestState a request carries, whatever it holds (null included); null for a notification, a response, or none. */
    private static JsonNode stateOf(JsonRpcMessage message) {
        if (message instanceof JsonRpcRequest request && request.params() != null && request.params().isObject()) {
            return request.params().get(REQUEST_STATE);
        }
        return null;
    }
}
