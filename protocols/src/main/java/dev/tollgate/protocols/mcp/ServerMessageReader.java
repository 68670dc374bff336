package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocols.json.JsonOpening;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcId;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what an MCP server sends back with the same strict parser as client requests (duplicate keys,
 * deep nesting, lone surrogates, over-long numbers and names refused). Thread-safe.
 */
public final class ServerMessageReader {

    /** A server never sends an array from MCP 2025-06-18 on; on a stream it was never allowed. */
    public static final String ARRAY_NOT_ALLOWED = "array_not_allowed";

    /**
     * Reads what a lenient client would (last key wins, no length limits: JSON.parse has none): only to find
     * the id to answer, never to decide.
     */
    private static final ObjectMapper LENIENT = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(Integer.MAX_VALUE).maxNameLength(Integer.MAX_VALUE).build())
            .build());

    private final JsonRpcParser parser;

    public ServerMessageReader(JsonRpcParser parser) {
        this.parser = parser;
    }

    /** The strict parser messages are read with. */
    public StrictJsonParser json() {
        return parser.json();
    }

    /**
     * @param arrayAllowed true only for the JSON answer to a client's batch
     */
    public ServerMessage read(byte[] data, boolean arrayAllowed) {
        JsonNode root;
        try {
            root = parser.json().parse(data);
        } catch (JsonRejection e) {
            return unreadable(e.reason().code(), e.getMessage(), data);
        }
        try {
            if (root.isArray()) {
                if (!arrayAllowed || root.isEmpty()) {
                    return unreadable(ARRAY_NOT_ALLOWED, "the server sent a JSON array where one message is expected", data);
                }
                List<JsonRpcMessage> messages = new ArrayList<>(root.size());
                for (JsonNode element : root) {
                    messages.add(parser.toMessage(element));
                }
                String notMcp = notMcpShaped(messages);
                return notMcp != null ? unreadable(notMcp, NOT_MCP_SHAPED.get(notMcp), data) : new ServerMessage.Read(root, messages, true);
            }
            List<JsonRpcMessage> messages = List.of(parser.toMessage(root));
            String notMcp = notMcpShaped(messages);
            return notMcp != null ? unreadable(notMcp, NOT_MCP_SHAPED.get(notMcp), data) : new ServerMessage.Read(root, messages, false);
        } catch (JsonRpcRejection e) {
            return unreadable(e.reason(), e.getMessage(), data);
        }
    }

    /**
     * Whether a lenient reader (a client's JSON.parse) would find JSON-RPC in the bytes: an object with a
     * {@code jsonrpc} member, or an array holding one. Used on bodies that are not required to be JSON-RPC
     * (error statuses), to tell a message a client would dispatch from an error page. Bytes that open like JSON but
     * that this reader cannot read count as JSON-RPC (so they are held to its rules, and refused): a client decodes
     * an invalid UTF-8 byte as U+FFFD and {@code JSON.parse} takes nesting deeper than Jackson's limit, so it may
     * read a message there.
     */
    public static boolean looksLikeJsonRpc(byte[] data) {
        JsonNode lenient;
        try {
            lenient = LENIENT.readTree(data);
        } catch (IOException | RuntimeException e) {
            return JsonOpening.opensLikeJson(data);
        }
        if (lenient == null) {
            return false;
        }
        if (lenient.isArray()) {
            for (JsonNode element : lenient) {
                if (element.isObject() && element.has("jsonrpc")) {
                    return true;
                }
            }
            return false;
        }
        return lenient.isObject() && lenient.has("jsonrpc");
    }

    /** A response whose {@code result} is not an object: every MCP result is one, in every revision. */
    public static final String NON_OBJECT_RESULT = "non_object_result";
    /** A request or notification whose {@code params} is not an object (an array): every MCP params is one. */
    public static final String NON_OBJECT_PARAMS = "non_object_params";

    private static final java.util.Map<String, String> NOT_MCP_SHAPED = java.util.Map.of(
            NON_OBJECT_RESULT, "the server sent a result that is not a JSON object (every MCP result is one)",
            NON_OBJECT_PARAMS, "the server sent params that are not a JSON object (every MCP params is one)");

    /**
     * Why messages valid as JSON-RPC are no MCP messages a client reads as the gateway does, or null. JSON-RPC lets a
     * result be any value and params an array; MCP never does, and a client reading one anyway does not read it as its
     * schema says (the Java SDK quotes a string result in the exception it throws, which an agent hands its model): the
     * result rules read objects only, so such a message is not relayed unread (review BS).
     */
    private static String notMcpShaped(List<JsonRpcMessage> messages) {
        for (JsonRpcMessage message : messages) {
            if (message instanceof JsonRpcResponse response && !response.isError() && (response.result() == null || !response.result().isObject())) {
                return NON_OBJECT_RESULT;
            }
            JsonNode params = message instanceof JsonRpcRequest request ? request.params()
                    : message instanceof JsonRpcNotification notification ? notification.params() : null;
            if (params != null && !params.isObject()) {
                return NON_OBJECT_PARAMS;
            }
        }
        return null;
    }

    private static ServerMessage.Unreadable unreadable(String reason, String detail, byte[] data) {
        JsonNode lenient;
        try {
            lenient = LENIENT.readTree(data);
        } catch (IOException | RuntimeException e) {
            lenient = null;
        }
        if (lenient == null || !lenient.isObject()) {
            return new ServerMessage.Unreadable(reason, detail, null, false);
        }
        JsonNode id = lenient.get("id");
        JsonNode validId = JsonRpcId.isValid(id) ? id : null;
        return new ServerMessage.Unreadable(reason, detail, validId, validId != null && lenient.has("method"));
    }
}
