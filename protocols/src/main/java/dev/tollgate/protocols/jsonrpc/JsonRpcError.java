package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/** The error member of a JSON-RPC response; {@code data} may be null. */
public record JsonRpcError(int code, String message, JsonNode data) {
}
