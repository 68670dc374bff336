package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.approval.ApprovalOutcome;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.Decision;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a held call its approval did not let through (denied, timed out, abandoned by a stopping gateway, or
 * approved and then superseded by a reload), in
 * the call's own binding, saying the approval id, who decided, when and why, and the rule that asked. MCP and A2A
 * JSON-RPC calls get a JSON-RPC error. An A2A HTTP+JSON call gets what a REST client reads as a refusal, as its policy
 * denials do: 403 with a google.rpc.Status (503 when the gateway stopped: send it again); a 200 would read as a
 * {@code SendMessageResponse}, the refusal as an empty success.
 */
final class ApprovalRefusal {

    private ApprovalRefusal() {
    }

    static void respond(Exchange exchange, ErrorResponder errors, Decision decision, PendingApproval approval, ApprovalOutcome outcome,
                        RejectReason reason) {
        ObjectNode data = data(decision, approval, outcome, reason);
        send(exchange, errors, reason, reason.message() + (outcome.reason() == null ? "" : ": " + outcome.reason()), data);
    }

    /**
     * An approved call a reload since refused ({@link ApprovalRecheck}): {@code approval_superseded}, with the approval and
     * who approved it, what superseded it ({@code superseded}: an {@link ApprovalRecheck.Cause} label) and, for a
     * deny, the serving policy and rule.
     */
    static void superseded(Exchange exchange, ErrorResponder errors, PendingApproval approval, ApprovalOutcome outcome,
                           ApprovalRecheck.Superseded superseded) {
        RejectReason reason = RejectReason.APPROVAL_SUPERSEDED;
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("reason", reason.code());
        data.put("approval_id", approval.id());
        data.put("decided_by", outcome.by());
        data.put("decided_at", outcome.at().toString());
        data.put("superseded", superseded.cause().label());
        data.put("route", exchange.route().route().name());
        Decision denial = superseded.denial();
        if (denial != null && denial.policyName() != null) {
            data.put("policy", denial.policyName());
        }
        if (denial != null && denial.ruleName() != null) {
            data.put("rule", denial.ruleName());
        }
        send(exchange, errors, reason, reason.message() + ": " + superseded.detail(), data);
    }

    private static void send(Exchange exchange, ErrorResponder errors, RejectReason reason, String message, ObjectNode data) {
        if (exchange.a2a() != null && exchange.a2a().restShaped()) {
            int status = reason == RejectReason.APPROVAL_ABANDONED ? reason.httpStatus() : A2aErrors.DENIED_STATUS;
            errors.respondWith(exchange.response(), reason, status, A2aErrors.restStatus(status, reason, message, data));
            return;
        }
        ObjectNode response = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
        response.set("id", exchange.payload() instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request
                ? request.id().value() : exchange.a2a() != null ? exchange.a2a().jsonRpcId() : null);
        ObjectNode error = response.putObject("error");
        error.put("code", reason.jsonRpcCode());
        error.put("message", message);
        error.set("data", data);
        errors.respondWith(exchange.response(), reason, reason.httpStatus(), response.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The reason, the approval, who decided and when, and the rule: strings only (an ErrorInfo's metadata is a string map). */
    private static ObjectNode data(Decision decision, PendingApproval approval, ApprovalOutcome outcome, RejectReason reason) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("reason", reason.code());
        data.put("approval_id", approval.id());
        data.put("decided_by", outcome.by());
        data.put("decided_at", outcome.at().toString());
        if (decision.policyName() != null) {
            data.put("policy", decision.policyName());
        }
        if (decision.ruleName() != null) {
            data.put("rule", decision.ruleName());
        }
        return data;
    }
}
