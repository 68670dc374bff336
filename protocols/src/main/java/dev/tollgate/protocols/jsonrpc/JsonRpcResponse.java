package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A response: exactly one of {@code result} and {@code error} is non-null ({@code "result": null} on the
 * wire is a non-null JSON null node). The id is null only in an error response to a request whose id could
 * not be read.
 */
public record JsonRpcResponse(JsonRpcId id, JsonNode result, JsonRpcError error) implements JsonRpcMessage {

    public JsonRpcResponse {
        if ((result == null) == (error == null)) {
            throw new IllegalArgumentException("a response carries exactly one of result and error");
        }
        if (id == null && error == null) {
            throw new IllegalArgumentException("only an error response may have a null id");
        }
    }

    public boolean isError() {
        return error != null;
    }
}
