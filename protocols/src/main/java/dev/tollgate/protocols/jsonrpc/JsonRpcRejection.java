package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A body refused as JSON-RPC: the JSON-RPC error code to answer with (-32700 for JSON-level failures,
 * -32600 for invalid messages, -32602 for invalid params), a stable reason string, and the request id
 * when it could be read, so the error can be matched by the client.
 *
 * <p>Each reason always comes with the same code, so a caller may key metrics and HTTP mapping on the
 * reason alone. {@code invalid_params} is -32602 both when JSON-RPC {@code params} is a scalar and when an
 * MCP call lacks its target (a tool name, a URI).
 */
public final class JsonRpcRejection extends Exception {

    // Reasons carried over from the JSON layer (code -32700); equal to JsonRejection.Reason codes.
    public static final String INVALID_JSON = "invalid_json";
    public static final String INVALID_UTF8 = "invalid_utf8";
    public static final String DUPLICATE_KEY = "duplicate_key";
    public static final String NESTING_TOO_DEEP = "nesting_too_deep";
    public static final String EMPTY_BODY = "empty_body";
    // Reasons for JSON that is not a valid JSON-RPC 2.0 message (code -32600, except INVALID_PARAMS).
    /** Not an object, {@code jsonrpc} not exactly "2.0", an unknown member, or a method together with result/error. */
    public static final String NOT_JSONRPC = "not_jsonrpc";
    public static final String INVALID_ID = "invalid_id";
    public static final String INVALID_METHOD = "invalid_method";
    /** Code -32602. */
    public static final String INVALID_PARAMS = "invalid_params";
    /** Code -32602: a resource URI servers would read as another text (see ResourceUriForm). */
    public static final String NON_CANONICAL_URI = "non_canonical_uri";
    public static final String INVALID_RESPONSE = "invalid_response";
    public static final String EMPTY_BATCH = "empty_batch";
    /** Two requests, or two responses, of one batch with the same id. */
    public static final String DUPLICATE_ID = "duplicate_id";

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
