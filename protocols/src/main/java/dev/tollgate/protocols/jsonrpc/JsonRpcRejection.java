package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A body refused as JSON-RPC: the JSON-RPC error code to answer with (-32700 for JSON-level failures,
 * -32600 for invalid messages, -32602 for invalid params), a stable reason string, and the request id
 * when it could be read, so the error can be matched by the client.
 */
public final class JsonRpcRejection extends Exception {

    private final int jsonRpcCode;
    private final String reason;
    private final transient JsonNode id;

    public JsonRpcRejection(int jsonRpcCode, String reason, String message, JsonNode id) {
        super(message, null, false, false);
        this.jsonRpcCode = jsonRpcCode;
        this.reason = reason;
        this.id = id;
    }

    public int jsonRpcCode() {
        return jsonRpcCode;
    }

    /** Stable lower-case reason, e.g. {@code duplicate_key}, {@code not_jsonrpc}, {@code invalid_params}. */
    public String reason() {
        return reason;
    }

    /** The id of the offending request when it could be recovered, else null. */
    public JsonNode id() {
        return id;
    }
}
