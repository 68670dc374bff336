package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.Decision;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.gateway.errors.ErrorResponder;
import io.vertx.core.Future;

/** Answers a request policy denied (its span already carries the decision); the upstream sees nothing. */
public final class EnforceStage implements Stage {

    private final ErrorResponder errors;

    public EnforceStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "enforce";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (!exchange.isDenied() && exchange.awaitsApproval()) {
            // Defence in depth: an approve decision without a granted approval is refused, never forwarded.
            Decision decision = exchange.decisions().get(0);
            exchange.errorType(RejectReason.APPROVAL_CANNOT_WAIT.code());
            if (exchange.a2a() != null && exchange.a2a().restShaped()) {
                // An HTTP+JSON client reads a 200 as success: it gets a REST refusal, as its policy denials do.
                errors.respondWith(exchange.response(), RejectReason.APPROVAL_CANNOT_WAIT, A2aErrors.DENIED_STATUS, A2aErrors.restDenial(decision));
                return StageResult.responded();
            }
            JsonNode id = exchange.payload() instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request
                    ? request.id().value() : exchange.a2a() != null ? exchange.a2a().jsonRpcId() : null;
            errors.respondWith(exchange.response(), RejectReason.APPROVAL_CANNOT_WAIT,
                    PolicyStage.bytes(PolicyDenials.response(id, decision)));
            return StageResult.responded();
        }
        if (!exchange.isDenied()) {
            return StageResult.proceed();
        }
        exchange.errorType(exchange.denialReason().code());
        int status = exchange.denialStatus() == 0 ? exchange.denialReason().httpStatus() : exchange.denialStatus();
        errors.respondWith(exchange.response(), exchange.denialReason(), status, exchange.denialBody());
        return StageResult.responded();
    }
}
