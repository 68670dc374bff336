package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A JSON-RPC id: a string or an integer, kept as the JSON value the client sent so it echoes exactly. A
 * null id (legal only in an error response whose request id was unreadable) is a null {@code JsonRpcId},
 * never a {@code JsonRpcId} holding JSON null.
 */
public record JsonRpcId(JsonNode value) {

    public JsonRpcId {
        if (!isValid(value)) {
            throw new IllegalArgumentException("a JSON-RPC id is a string or an integer, not " + (value == null ? "null" : value.getNodeType()));
        }
    }

    /** An integer id, as the parser would produce it for the same JSON text (int-sized values as IntNode). */
    public static JsonRpcId of(long id) {
        return new JsonRpcId(id == (int) id ? JsonNodeFactory.instance.numberNode((int) id) : JsonNodeFactory.instance.numberNode(id));
    }

    public static JsonRpcId of(String id) {
        return new JsonRpcId(JsonNodeFactory.instance.textNode(id));
    }

    /** Largest integer id: every integer up to it is a double exactly, so JavaScript peers read the same id. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    /**
     * Longest string id, in characters (Unicode code points). The SDKs send integers or UUID-sized strings; the id
     * is echoed in every answer and kept with every call in flight, in audit records and in traces, so a client's
     * megabyte id would be copied into each of them (review AG forwarded a 3 MiB id). A kibibyte leaves room for any
     * id a client builds from its own names.
     */
    public static final int MAX_STRING_LENGTH = 1024;

    /**
     * Strings of at most {@link #MAX_STRING_LENGTH} characters and integers. Numbers with a fractional part (including {@code 1.0}) are refused: the spec says
     * ids SHOULD NOT have one, and float ids do not round-trip reliably through every client. Integers beyond
     * ±(2^53 - 1) are refused too: a peer reading JSON numbers as doubles (JSON.parse) reads 2^53 + 1 as 2^53, so
     * two ids the gateway keeps apart would be one id to it, and an answer could be paired with another call.
     */
    public static boolean isValid(JsonNode value) {
        return value != null && (value.isTextual() && withinLength(value.textValue()) || value.isIntegralNumber()
                && value.canConvertToLong() && Math.abs(value.longValue()) <= MAX_SAFE_INTEGER);
    }

    private static boolean withinLength(String id) {
        // A code point is one or two chars: only a string between the two bounds needs counting.
        return id.length() <= MAX_STRING_LENGTH
                || id.length() <= 2 * MAX_STRING_LENGTH && id.codePointCount(0, id.length()) <= MAX_STRING_LENGTH;
    }

    public boolean isString() {
        return value.isTextual();
    }

    /** The raw JSON text of the id, e.g. {@code 7} or {@code "abc"}. */
    @Override
    public String toString() {
        return value.toString();
    }
}
