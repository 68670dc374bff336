package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/** The error member of a JSON-RPC response; {@code data} is null when absent. */
public record JsonRpcError(int code, String message, JsonNode data) {

    public JsonRpcError {
        if (message == null) {
            throw new IllegalArgumentException("a JSON-RPC error has a message");
        }
    }
}
