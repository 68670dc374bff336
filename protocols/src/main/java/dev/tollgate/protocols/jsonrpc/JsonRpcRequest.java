package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/** A request; {@code params} is an object or array, or null when absent. */
public record JsonRpcRequest(JsonRpcId id, String method, JsonNode params) implements JsonRpcMessage {
}
