package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A response: exactly one of {@code result} and {@code error} is non-null. The id is null only in an
 * error response to a request whose id could not be read.
 */
public record JsonRpcResponse(JsonRpcId id, JsonNode result, JsonRpcError error) implements JsonRpcMessage {

    public boolean isError() {
        return error != null;
    }
}
