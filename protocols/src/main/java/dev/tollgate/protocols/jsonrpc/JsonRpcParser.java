package dev.tollgate.protocols.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Strict JSON-RPC 2.0: {@code "jsonrpc":"2.0"} exactly; a string method; ids that are strings or integers;
 * params an object or array; a response with exactly one of result and error; no member that belongs to
 * another message kind. The gateway forwards the original bytes; this parse is only read.
 */
public final class JsonRpcParser {

    private final StrictJsonParser json;

    public JsonRpcParser(StrictJsonParser json) {
        this.json = json;
    }

    /** The strict JSON parser underneath, for bodies that are JSON but not JSON-RPC (A2A HTTP+JSON). */
    public StrictJsonParser json() {
        return json;
    }

    private static final String ID_RULE = "\"id\" must be a string of at most " + JsonRpcId.MAX_STRING_LENGTH
            + " characters or an integer of at most 2^53 - 1 in magnitude";

    public JsonRpcPayload parse(byte[] body) throws JsonRpcRejection {
        JsonNode root;
        try {
            root = json.parse(body);
        } catch (JsonRejection e) {
            throw new JsonRpcRejection(JsonRpcErrorCodes.PARSE_ERROR, e.reason().code(), e.getMessage(), null);
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                throw invalid(JsonRpcRejection.EMPTY_BATCH, "a batch must contain at least one message", null);
            }
            List<JsonRpcMessage> messages = new ArrayList<>(root.size());
            for (JsonNode element : root) {
                messages.add(toMessage(element));
            }
            refuseRepeatedIds(messages);
            return new JsonRpcPayload.Batch(messages);
        }
        return new JsonRpcPayload.Single(toMessage(root));
    }

    /**
     * Two requests (or two responses) of one batch with the same id: answers are matched to requests by id, so the
     * gateway and the upstream could pair a result with different calls (the TypeScript SDK answers whichever
     * finishes first under the shared id; the gateway would have filed it under the other call and run that
     * tool's result rules). JSON-RPC requires ids to identify requests; refused.
     */
    private static void refuseRepeatedIds(List<JsonRpcMessage> messages) throws JsonRpcRejection {
        if (messages.size() < 2) {
            return;
        }
        Set<JsonNode> requestIds = new HashSet<>();
        Set<JsonNode> responseIds = new HashSet<>();
        for (JsonRpcMessage message : messages) {
            JsonRpcId id = message instanceof JsonRpcRequest request ? request.id()
                    : message instanceof JsonRpcResponse response ? response.id() : null;
            if (id != null && !(message instanceof JsonRpcRequest ? requestIds : responseIds).add(id.value())) {
                throw invalid(JsonRpcRejection.DUPLICATE_ID, "two messages of the batch carry the id " + shorten(id.toString())
                        + " (ids pair answers with calls)", null);
            }
        }
    }

    /** Interprets one parsed JSON value as a JSON-RPC message (used for batch elements and SSE event data). */
    public JsonRpcMessage toMessage(JsonNode node) throws JsonRpcRejection {
        if (!node.isObject()) {
            throw invalid(JsonRpcRejection.NOT_JSONRPC, "a JSON-RPC message must be a JSON object", null);
        }
        JsonNode rawId = node.get("id");
        JsonNode echoId = isValidId(rawId) ? rawId : null;
        JsonNode version = node.get("jsonrpc");
        if (version == null || !version.isTextual() || !version.textValue().equals("2.0")) {
            throw invalid(JsonRpcRejection.NOT_JSONRPC, "\"jsonrpc\" must be \"2.0\"", echoId);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!isKnownMember(field)) {
                throw invalid(JsonRpcRejection.NOT_JSONRPC, "unexpected member \"" + shorten(field) + "\"", echoId);
            }
        }
        if (node.has("method")) {
            return request(node, rawId, echoId);
        }
        return response(node, rawId, echoId);
    }

    private static JsonRpcMessage request(JsonNode node, JsonNode rawId, JsonNode echoId) throws JsonRpcRejection {
        if (node.has("result") || node.has("error")) {
            throw invalid(JsonRpcRejection.NOT_JSONRPC, "a message cannot carry both method and result/error", echoId);
        }
        JsonNode method = node.get("method");
        if (!method.isTextual() || method.textValue().isEmpty()) {
            throw invalid(JsonRpcRejection.INVALID_METHOD, "\"method\" must be a non-empty string", echoId);
        }
        JsonNode params = node.get("params");
        if (params != null && !params.isObject() && !params.isArray()) {
            throw new JsonRpcRejection(JsonRpcErrorCodes.INVALID_PARAMS, JsonRpcRejection.INVALID_PARAMS, "\"params\" must be an object or an array", echoId);
        }
        if (rawId == null) {
            return new JsonRpcNotification(method.textValue(), params);
        }
        if (echoId == null) {
            throw invalid(JsonRpcRejection.INVALID_ID, ID_RULE, null);
        }
        return new JsonRpcRequest(new JsonRpcId(rawId), method.textValue(), params);
    }

    private static JsonRpcMessage response(JsonNode node, JsonNode rawId, JsonNode echoId) throws JsonRpcRejection {
        JsonNode result = node.get("result");
        JsonNode error = node.get("error");
        if (rawId == null) {
            throw invalid(JsonRpcRejection.NOT_JSONRPC, "a message needs a \"method\" (request) or an \"id\" with \"result\"/\"error\" (response)", null);
        }
        if ((result == null) == (error == null)) {
            throw invalid(JsonRpcRejection.INVALID_RESPONSE, "a response must carry exactly one of \"result\" and \"error\"", echoId);
        }
        if (rawId.isNull()) {
            if (error == null) {
                throw invalid(JsonRpcRejection.INVALID_ID, "only an error response may have a null id", null);
            }
        } else if (echoId == null) {
            throw invalid(JsonRpcRejection.INVALID_ID, ID_RULE, null);
        }
        if (error != null) {
            JsonNode code = error.get("code");
            JsonNode message = error.get("message");
            if (!error.isObject() || code == null || !code.canConvertToInt() || !code.isIntegralNumber()
                    || message == null || !message.isTextual()) {
                throw invalid(JsonRpcRejection.INVALID_RESPONSE, "\"error\" must be an object with an integer code and a string message", echoId);
            }
            return new JsonRpcResponse(rawId.isNull() ? null : new JsonRpcId(rawId),
                    null, new JsonRpcError(code.intValue(), message.textValue(), error.get("data")));
        }
        return new JsonRpcResponse(new JsonRpcId(rawId), result, null);
    }

    private static boolean isValidId(JsonNode id) {
        return JsonRpcId.isValid(id);
    }

    private static boolean isKnownMember(String field) {
        return switch (field) {
            case "jsonrpc", "id", "method", "params", "result", "error" -> true;
            default -> false;
        };
    }

    private static JsonRpcRejection invalid(String reason, String message, JsonNode id) {
        return new JsonRpcRejection(JsonRpcErrorCodes.INVALID_REQUEST, reason, message, id);
    }

    private static String shorten(String text) {
        return text.length() <= 32 ? text : text.substring(0, 32) + "...";
    }
}
