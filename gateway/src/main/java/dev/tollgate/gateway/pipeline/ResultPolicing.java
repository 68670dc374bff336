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
    /**
     * The end of the text this call's stream has relayed so far (its {@code text} and {@code message} strings), so a
     * phrase split across two events ("ignore all previous" | "instructions") is read whole: the next event is decided
     * with this tail joined to its own text, in a field {@value #STREAM_JOINT} of the document the rules read.
     */
    private String streamTail = "";

    /** The field holding the previous events' tail joined to this event's text, for result rules on streams. */
    static final String STREAM_JOINT = "tollgate_stream_joint";
    /** How much of the previous events' text is kept: enough for any phrase the detectors look for. */
    static final int STREAM_TAIL_CHARS = 256;

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
        String text = texts(call.arguments());
        CallDescription read = call;
        if (!streamTail.isEmpty() && !text.isEmpty() && call.arguments().isObject()) {
            ObjectNode joined = ((ObjectNode) call.arguments()).deepCopy();
            joined.put(STREAM_JOINT, streamTail + text);
            read = new CallDescription(call.protocol(), call.route(), call.method(), call.toolName(), call.resourceUri(), call.promptName(),
                    joined, call.direction());
        }
        String all = streamTail + text;
        streamTail = all.length() <= STREAM_TAIL_CHARS ? all : all.substring(all.length() - STREAM_TAIL_CHARS);
        Decision decision = sizeBytes > limits.maxScannedResultBytes()
                ? (limits.denyUnscannableResults() ? UNSCANNABLE_DENIED : UNSCANNABLE_ALLOWED)
                : policy.evaluateResult(new PolicyRequest(read, exchange.identity(), Instant.now()));
        List<Finding> findings = findings(decision, read);
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

    /** The document's {@code text} and {@code message} strings (what a client shows and a model reads), joined in order. */
    static String texts(JsonNode node) {
        StringBuilder out = new StringBuilder();
        collectTexts(node, out);
        return out.toString();
    }

    private static void collectTexts(JsonNode node, StringBuilder out) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if ((f.getKey().equals("text") || f.getKey().equals("message")) && f.getValue().isTextual()) {
                    out.append(f.getValue().textValue());
                } else {
                    collectTexts(f.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collectTexts(element, out));
        }
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
