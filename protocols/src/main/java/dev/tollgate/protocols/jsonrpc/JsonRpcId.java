package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** A JSON-RPC id: a string or an integer, kept as the JSON value the client sent so it echoes exactly. */
public record JsonRpcId(JsonNode value) {

    /** An integer id, as the parser would produce it for the same JSON text (int-sized values as IntNode). */
    public static JsonRpcId of(long id) {
        return new JsonRpcId(id == (int) id ? JsonNodeFactory.instance.numberNode((int) id) : JsonNodeFactory.instance.numberNode(id));
    }

    public static JsonRpcId of(String id) {
        return new JsonRpcId(JsonNodeFactory.instance.textNode(id));
    }

    /** The raw JSON text of the id, e.g. {@code 7} or {@code "abc"}. */
    @Override
    public String toString() {
        return value.toString();
    }
}
