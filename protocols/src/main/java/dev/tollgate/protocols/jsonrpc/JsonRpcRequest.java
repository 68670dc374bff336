package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/** A request; {@code params} is an object or array, or null when absent. */
public record JsonRpcRequest(JsonRpcId id, String method, JsonNode params) implements JsonRpcMessage {

    public JsonRpcRequest {
        if (id == null) {
            throw new IllegalArgumentException("a request has an id; without one it is a notification");
        }
        JsonRpcNotification.requireMethodAndParams(method, params);
    }
}
