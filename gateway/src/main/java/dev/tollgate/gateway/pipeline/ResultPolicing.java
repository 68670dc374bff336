package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.detect.DocumentScan;
import dev.tollgate.policy.detect.Finding;
import java.time.Instant;
import java.util.List;

/**
 * Result policy for one call: each result on its way back (a JSON answer, an SSE event holding the response, an A2A
 * answer or stream event) is decided by the policy's result rules before the client sees it. Deny replaces the result
 * with the policy's error; redact replaces what the rule's detectors found and relays the rest; audit relays it and
 * records the findings. Only documents with result rules pay anything: every other call skips this at one check.
 */
final class ResultPolicing {

    /** A result larger than limits.max-scanned-result-bytes, by limits.unscannable-results. */
    static final Decision UNSCANNABLE_DENIED = new Decision(Action.DENY, "result_unscannable",
            "the result is larger than limits.max-scanned-result-bytes, so result rules cannot read it", "tollgate-limits", Mode.ENFORCE);
    static final Decision UNSCANNABLE_ALLOWED = new Decision(Action.ALLOW, "result_unscannable",
            "the result is larger than limits.max-scanned-result-bytes and relayed unread (limits.unscannable-results: allow)",
            "tollgate-limits", Mode.ENFORCE);

    /** What happened to one result. */
    enum Outcome { PASSED, REDACTED, DENIED }

    private final Exchange exchange;
    private final CompiledPolicy policy;
    /** The decision of the last result decided: what {@link #denial} explains. */
    private Decision lastDecision;

    private ResultPolicing(Exchange exchange, CompiledPolicy policy) {
        this.exchange = exchange;
        this.policy = policy;
    }

    /** Null when the call's policy has no result rule (nothing to do for any of its results). */
    static ResultPolicing of(Exchange exchange) {
        CompiledPolicy policy = exchange.policy();
        return policy == null || !policy.hasResultRules() ? null : new ResultPolicing(exchange, policy);
    }

    /**
     * Decides a result, redacting it in place ({@code call.arguments()} is the result object) when a redact rule matches.
     *
     * @param call      the result as policy sees it
     * @param requestId the id of the request it answers, as text (for the audit record)
     * @param sizeBytes how large the answer (or event) holding it is: past limits.max-scanned-result-bytes it is not read
     * @return what was done; on {@link Outcome#DENIED} the caller answers with {@link #denial}
     */
    Outcome decide(CallDescription call, String requestId, long sizeBytes) {
        var limits = exchange.snapshot().config().limits();
        Decision decision = sizeBytes > limits.maxScannedResultBytes()
                ? (limits.denyUnscannableResults() ? UNSCANNABLE_DENIED : UNSCANNABLE_ALLOWED)
                : policy.evaluateResult(new PolicyRequest(call, exchange.identity(), Instant.now()));
        List<Finding> findings = findings(decision, call);
        lastDecision = decision;
        exchange.resultDecided(new ResultVerdict(requestId, decision, findings));
        if (decision.mode() == Mode.SHADOW) {
            return Outcome.PASSED;
        }
        if (decision.action() == Action.DENY) {
            return Outcome.DENIED;
        }
        if (decision.action() == Action.REDACT && !findings.isEmpty()) {
            DocumentScan.redact(call.arguments(), findings);
            return Outcome.REDACTED;
        }
        return Outcome.PASSED;
    }

    /** What the deciding rule's detectors find, for the record; none when the rule failed closed (a scan over its budget). */
    private List<Finding> findings(Decision decision, CallDescription call) {
        if (decision.ruleName() == null || decision.failure() != Decision.Failure.NONE) {
            return List.of();
        }
        try {
            return DocumentScan.scan(call.arguments(), policy.detectors(decision.ruleName()));
        } catch (dev.tollgate.policy.detect.ScanBudget.Exceeded e) {
            return List.of();
        }
    }

    /** The JSON-RPC error a client gets instead of a denied result. */
    ObjectNode denial(JsonNode id) {
        Decision decision = lastDecision;
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", id);
        ObjectNode error = response.putObject("error");
        error.put("code", RejectReason.RESULT_DENIED.jsonRpcCode());
        String rule = decision.ruleName() == null ? "default" : decision.ruleName();
        error.put("message", "The result was withheld by policy '" + decision.policyName() + "' (rule '" + rule + "')"
                + (decision.message() == null ? "" : ": " + decision.message()));
        ObjectNode data = error.putObject("data");
        data.put("reason", RejectReason.RESULT_DENIED.code());
        data.put("policy", decision.policyName());
        data.put("rule", rule);
        if (decision.message() != null) {
            data.put("message", decision.message());
        }
        return response;
    }
}
