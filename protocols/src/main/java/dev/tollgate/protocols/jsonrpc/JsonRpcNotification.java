package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/** A notification: a request without an id, which gets no response. {@code params} as for a request. */
public record JsonRpcNotification(String method, JsonNode params) implements JsonRpcMessage {

    public JsonRpcNotification {
        requireMethodAndParams(method, params);
    }

    static void requireMethodAndParams(String method, JsonNode params) {
        if (method == null || method.isEmpty()) {
            throw new IllegalArgumentException("method must be a non-empty string");
        }
        if (params != null && !params.isObject() && !params.isArray()) {
            throw new IllegalArgumentException("params must be an object or an array when present");
        }
    }
}
