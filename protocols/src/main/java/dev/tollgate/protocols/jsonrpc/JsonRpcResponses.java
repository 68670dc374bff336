package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds JSON-RPC error responses as bytes. */
public final class JsonRpcResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonRpcResponses() {
    }

    /**
     * {@code {"jsonrpc":"2.0","id":...,"error":{"code":...,"message":...,"data":...}}}; the id is JSON null
     * when unknown, {@code data} is omitted when null.
     */
    public static byte[] error(JsonNode idOrNull, int code, String message, JsonNode data) {
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", idOrNull == null ? JsonNodeFactory.instance.nullNode() : idOrNull);
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
