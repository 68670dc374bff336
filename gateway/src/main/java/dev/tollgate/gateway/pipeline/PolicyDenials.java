package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.Decision;

/**
 * The JSON-RPC error an agent receives for a denied call: stable code and reason, and in {@code error.data}
 * the policy, the rule and its message, so "why was this blocked" is answered in the response itself.
 */
final class PolicyDenials {

    private PolicyDenials() {
    }

    /**
     * The stable reason (and counter) of a denial: a value too long for a regex to scan, and a backtracking regex
     * out of steps, each have their own.
     */
    static RejectReason reasonFor(Decision decision) {
        if (decision.policyName() == null) {
            return RejectReason.NO_POLICY;
        }
        if (PinDecisions.isPinDenial(decision)) {
            return RejectReason.TOOL_NOT_PINNED;
        }
        if (WithheldToolDecisions.isWithheldDenial(decision)) {
            return RejectReason.TOOL_WITHHELD;
        }
        if (DeclaredEnumDecisions.isOutsideDenial(decision)) {
            return RejectReason.ARGUMENT_OUTSIDE_DECLARED_ENUM;
        }
        if (ArgumentNameDecisions.isAmbiguousDenial(decision)) {
            return RejectReason.AMBIGUOUS_ARGUMENT_NAME;
        }
        if (ArgumentTextDecisions.isTooDeepDenial(decision)) {
            return RejectReason.ARGUMENT_TEXT_TOO_DEEP;
        }
        if (A2aPushDecisions.isPushDenial(decision)) {
            return RejectReason.PUSH_BYPASSES_RESULT_RULES;
        }
        if (decision.requiresApproval()) {
            // Reached only where a call cannot be held (a batch element, a server-to-client request): fail closed.
            return RejectReason.APPROVAL_CANNOT_WAIT;
        }
        return switch (decision.failure()) {
            case REGEX_INPUT_TOO_LONG -> RejectReason.REGEX_LIMIT;
            case REGEX_STEP_BUDGET -> RejectReason.REGEX_STEP_BUDGET;
            case NUMBER_READINGS_DISAGREE -> RejectReason.NUMBER_READINGS_DISAGREE;
            case NONE, CONDITION_ERROR -> RejectReason.POLICY_DENIED;
        };
    }

    /** The JSON-RPC error object (without the envelope) for a denial. */
    static ObjectNode error(Decision decision) {
        RejectReason reason = reasonFor(decision);
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("code", reason.jsonRpcCode());
        error.put("message", message(decision));
        ObjectNode data = error.putObject("data");
        data.put("reason", reason.code());
        if (decision.policyName() != null) {
            data.put("policy", decision.policyName());
        }
        if (decision.ruleName() != null) {
            data.put("rule", decision.ruleName());
        }
        if (decision.message() != null) {
            data.put("message", decision.message());
        }
        return error;
    }

    /** A complete JSON-RPC error response for a denied request. */
    static ObjectNode response(JsonNode id, Decision decision) {
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", id);
        response.set("error", error(decision));
        return response;
    }

    static String message(Decision decision) {
        if (decision.policyName() == null) {
            return RejectReason.NO_POLICY.message();
        }
        if (PinDecisions.isPinDenial(decision) || WithheldToolDecisions.isWithheldDenial(decision) || A2aPushDecisions.isPushDenial(decision)
                || DeclaredEnumDecisions.isOutsideDenial(decision) || ArgumentNameDecisions.isAmbiguousDenial(decision)
                || ArgumentTextDecisions.isTooDeepDenial(decision)) {
            return "Denied: " + decision.message();
        }
        String rule = decision.ruleName() == null ? "default action" : "rule '" + decision.ruleName() + "'";
        String why = decision.message() == null ? "" : ": " + decision.message();
        if (decision.requiresApproval()) {
            return "Needs approval by policy '" + decision.policyName() + "' (" + rule + "), which a call in a batch or a server request"
                    + " cannot wait for" + why;
        }
        return "Denied by policy '" + decision.policyName() + "' (" + rule + ")" + why;
    }
}
