package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds JSON-RPC error responses as bytes. */
public final class JsonRpcResponses {

    /** ObjectMapper is thread-safe once configured; one is shared. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonRpcResponses() {
    }

    /** An error response without {@code data}. */
    public static byte[] error(JsonNode idOrNull, int code, String message) {
        return error(idOrNull, code, message, null);
    }

    /**
     * {@code {"jsonrpc":"2.0","id":...,"error":{"code":...,"message":...,"data":...}}}; the id is JSON null
     * when unknown (or itself JSON null), {@code data} is omitted when null. The message is written as a JSON
     * string, so quotes and control characters in it cannot break the envelope.
     */
    public static byte[] error(JsonNode idOrNull, int code, String message, JsonNode data) {
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("jsonrpc", "2.0");
        // Only an id the parser would accept is echoed; an object or array id must not be reflected back.
        response.set("id", JsonRpcId.isValid(idOrNull) ? idOrNull : JsonNodeFactory.instance.nullNode());
        ObjectNode error = response.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (data != null) {
            error.set("data", data);
        }
        try {
            return JSON.writeValueAsBytes(response);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serializes", e);
        }
    }
}
