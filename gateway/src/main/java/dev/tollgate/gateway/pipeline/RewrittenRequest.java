package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;

/**
 * The exact bytes forwarded in place of a client's request when the gateway replaces a member of its params with the
 * upstream's own value (a {@code tasks/list} cursor, a {@code requestState}): written from the request as the gateway
 * parsed and decided it, {@code jsonrpc}, {@code id}, {@code method}, {@code params}, and nothing else. Any other top-level
 * member the client sent is not forwarded, and no member appears twice, so the upstream reads the call policy read.
 */
final class RewrittenRequest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RewrittenRequest() {
    }

    /** The request with these params (the client's, a member or more replaced). */
    static byte[] body(JsonRpcRequest request, ObjectNode params) {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0");
        body.set("id", request.id().value());
        body.put("method", request.method()).set("params", params);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
