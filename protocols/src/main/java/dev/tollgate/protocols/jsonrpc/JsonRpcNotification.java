package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/** A notification: a request without an id, which gets no response. */
public record JsonRpcNotification(String method, JsonNode params) implements JsonRpcMessage {
}
