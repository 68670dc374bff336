package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.RejectReason;

/**
 * The JSON-RPC error a server's request (sampling, elicitation) gets from the gateway, instead of reaching the client,
 * when its decision could not be recorded under {@code audit.when-full: reject}: the same reason a client's call gets.
 */
final class AuditUnavailable {

    private AuditUnavailable() {
    }

    static ObjectNode response(JsonNode id) {
        RejectReason reason = RejectReason.AUDIT_UNAVAILABLE;
        ObjectNode response = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
        response.set("id", id);
        response.putObject("error").put("code", reason.jsonRpcCode()).put("message", reason.message())
                .putObject("data").put("reason", reason.code());
        return response;
    }
}
