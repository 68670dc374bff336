package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.mcp.McpMessage;
import java.util.Objects;

/**
 * The audit record of a call the gateway refused itself before any policy decided it (body too large, a parse error, a
 * task of another caller, a concurrency limit, a tool list it could not read...): without it, "what did agent X try"
 * read from the audit log missed every probe the gateway refused early. Only an identified caller's refusals are
 * recorded ({@link CallerIdentifiedStage}); the decision is a synthetic one, policy {@value #POLICY_NAME} and rule
 * {@value #RULE}, which {@code tollgate replay} counts as not re-decidable. {@code outcome.error} is the refusal's reason.
 */
final class RefusalRecords {

    /** The policy name of these decisions; recognised by {@code tollgate replay} together with {@link #RULE}. */
    static final String POLICY_NAME = dev.tollgate.gateway.audit.AuditReplay.REFUSED_POLICY;
    static final String RULE = dev.tollgate.gateway.audit.AuditReplay.REFUSED_RULE;

    private RefusalRecords() {
    }

    /**
     * The reason of an identified caller's call the gateway refused before any policy decision, or null when there is no
     * such refusal to record: nothing was refused (or the client left), the call went upstream (its errors are the
     * upstream's), a policy decided it (that decision's record holds the refusal), or the refusal is the audit's own
     * ({@code audit_unavailable}: the queue it would be written to is full or failing). Nor a request forwarding tried to
     * send (an instance chosen): its failure (the instance down, no answer in time) is the upstream's, not a refusal; review
     * RA: an {@code initialize}, which no policy decides, was recorded as the gateway's enforced deny when its upstream was down.
     */
    static RejectReason refusal(Exchange exchange) {
        if (!exchange.identified() || exchange.sentUpstream() || exchange.upstreamInstance() != null
                || exchange.decisions().stream().anyMatch(Objects::nonNull)) {
            return null;
        }
        RejectReason reason = RejectReason.ofCode(exchange.errorType());
        return reason == RejectReason.AUDIT_UNAVAILABLE ? null : reason;
    }

    /** The refusal as a decision: an enforced deny, its message the reason's, made by no rule of any policy. */
    static Decision decision(RejectReason reason) {
        return new Decision(Action.DENY, RULE, reason.message(), POLICY_NAME, Mode.ENFORCE);
    }

    /**
     * What was refused, as far as the gateway read it: the parsed call of a single request (its tool, resource or prompt,
     * and its arguments, which the audit keeps per {@code audit.arguments}), {@code batch} for a batch, and the HTTP method
     * when no body was parsed.
     */
    static CallDescription call(Exchange exchange) {
        String route = exchange.route().route().name();
        if (exchange.a2a() != null) {
            return exchange.a2a().call() != null ? A2aCallDescriber.describe(route, exchange.a2a().call())
                    : CallDescription.a2a(route, exchange.request().method().name(), null, null);
        }
        if (exchange.payload() instanceof JsonRpcPayload.Batch) {
            return CallDescription.mcpRequest(route, "batch", null);
        }
        if (exchange.messages().isEmpty()) {
            return CallDescription.mcpRequest(route, exchange.request().method().name(), null);
        }
        McpMessage message = exchange.messages().get(0);
        if (message instanceof McpMessage.ToolCall call) {
            return CallDescription.mcpToolCall(route, call.toolName(), call.arguments());
        }
        if (message instanceof McpMessage.ResourceRead read) {
            return CallDescription.mcpResourceRead(route, read.uri());
        }
        if (message instanceof McpMessage.PromptGet prompt) {
            return CallDescription.mcpPromptGet(route, prompt.name(), prompt.arguments());
        }
        if (message instanceof McpMessage.OtherRequest request) {
            return CallDescription.mcpRequest(route, request.method(), request.params());
        }
        if (message instanceof McpMessage.ServerRequest request) {
            return CallDescription.mcpRequest(route, request.method(), request.params());
        }
        if (message instanceof McpMessage.Notification notification) {
            return CallDescription.mcpRequest(route, notification.method(), notification.params());
        }
        return CallDescription.mcpRequest(route, "response", null);
    }

    /** The refused request's JSON-RPC id: a single MCP request's, an A2A call's; null for none (a batch, no body parsed). */
    static JsonNode requestId(Exchange exchange) {
        if (exchange.a2a() != null) {
            return exchange.a2a().jsonRpcId();
        }
        return exchange.payload() instanceof JsonRpcPayload.Single && !exchange.messages().isEmpty()
                ? McpCallDescriber.requestIdValue(exchange.messages().get(0)) : null;
    }
}
