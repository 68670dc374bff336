package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocols.jsonrpc.JsonRpcErrorCodes;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import java.util.Iterator;
import java.util.Map;

/**
 * Classifies JSON-RPC messages as MCP calls. Client-to-server calls whose target cannot be read (a
 * {@code tools/call} without a tool name) are refused with -32602: policy cannot decide on a call whose
 * target it cannot see, so such a call must never be forwarded.
 */
public final class McpClassifier {

    private McpClassifier() {
    }

    public static McpMessage classifyClientMessage(JsonRpcMessage message) throws JsonRpcRejection {
        if (message instanceof JsonRpcRequest request) {
            return switch (request.method()) {
                case McpMethods.TOOLS_CALL -> toolCall(request);
                case McpMethods.RESOURCES_READ -> new McpMessage.ResourceRead(request.id(), canonicalUri(request, requiredString(request, "uri")));
                case McpMethods.PROMPTS_GET -> promptGet(request);
                default -> {
                    checkNamedResource(request);
                    yield new McpMessage.OtherRequest(request.id(), request.method(), request.params());
                }
            };
        }
        return classifyPassive(message);
    }

    /**
     * Subscribing to a resource names it too (2025-11-25 {@code resources/subscribe}, each of a 2026-07-28
     * {@code subscriptions/listen}'s {@code resourceSubscriptions}), and a server's subscription handler reads the URI
     * as resources/read's does, so it is held to the same form (the server's own checks decide the rest). A completion's resource reference
     * is a URI template ({@code file:///vault/{name}}) that the SDKs compare as written: left as it is.
     */
    private static void checkNamedResource(JsonRpcRequest request) throws JsonRpcRejection {
        JsonNode params = request.params();
        if (params == null || !params.isObject()) {
            return;
        }
        if (McpMethods.SUBSCRIPTIONS_LISTEN.equals(request.method())) {
            for (JsonNode uri : ListenFilter.resourceSubscriptions(params)) {
                if (!uri.isTextual()) {
                    // No rule can decide on it: the SDK refuses it too, a laxer server might read something into it.
                    throw invalidParams(request, "subscriptions/listen names a resource that is not a string in notifications.resourceSubscriptions");
                }
                canonicalUri(request, uri.textValue());
            }
            return;
        }
        if (McpMethods.COMPLETION_COMPLETE.equals(request.method())) {
            checkCompletionRef(request, params.get("ref"));
            return;
        }
        JsonNode uri = McpMethods.RESOURCES_SUBSCRIBE.equals(request.method()) || McpMethods.RESOURCES_UNSUBSCRIBE.equals(request.method())
                ? params.get("uri") : null;
        if (uri != null && !uri.isNull() && !uri.isTextual()) {
            // The Java SDK binds a number or boolean to its text (7 is resource "7"), which no rule saw.
            throw invalidParams(request, request.method() + " \"uri\" must be a string");
        }
        if (uri != null && uri.isTextual()) {
            canonicalUri(request, uri.textValue());
        }
    }

    /**
     * A completion's reference is read as the object it names by policy ({@code prompt:} and {@code resource:} rules), so
     * it must be that object: the Java SDK binds the reference with Jackson's polymorphic reader, which also takes the
     * array-wrapped form {@code ["ref/prompt", {"name": ...}]} as that prompt's reference (review CI: a denied prompt was
     * completed), and coerces a number or boolean name or URI to its text. Anything else is refused rather than read as
     * naming nothing.
     */
    private static void checkCompletionRef(JsonRpcRequest request, JsonNode ref) throws JsonRpcRejection {
        if (ref == null || ref.isNull()) {
            return; // names nothing: every SDK refuses it
        }
        if (!ref.isObject()) {
            throw invalidParams(request, "completion/complete \"ref\" must be an object");
        }
        JsonNode type = ref.get("type");
        if (type == null || !type.isTextual()) {
            throw invalidParams(request, "completion/complete \"ref.type\" must be a string");
        }
        String member = switch (type.textValue()) {
            case "ref/prompt" -> "name";
            case "ref/resource" -> "uri";
            default -> null;
        };
        JsonNode named = member == null ? null : ref.get(member);
        if (named != null && !named.isNull() && !named.isTextual()) {
            throw invalidParams(request, "completion/complete \"ref." + member + "\" must be a string");
        }
    }

    /** The URI as written, refused when a server would read another resource in it (ResourceUriForm). */
    private static String canonicalUri(JsonRpcRequest request, String uri) throws JsonRpcRejection {
        String problem = ResourceUriForm.problem(uri);
        if (problem != null) {
            throw new JsonRpcRejection(JsonRpcErrorCodes.INVALID_PARAMS, JsonRpcRejection.NON_CANONICAL_URI,
                    request.method() + " names a resource URI servers would read otherwise: " + problem, request.id().value());
        }
        return uri;
    }

    public static McpMessage classifyServerMessage(JsonRpcMessage message) {
        if (message instanceof JsonRpcRequest request) {
            return McpMethods.isServerToClientRequest(request.method())
                    ? new McpMessage.ServerRequest(request.id(), request.method(), request.params())
                    : new McpMessage.OtherRequest(request.id(), request.method(), request.params());
        }
        return classifyPassive(message);
    }

    private static McpMessage classifyPassive(JsonRpcMessage message) {
        if (message instanceof JsonRpcNotification notification) {
            return new McpMessage.Notification(notification.method(), notification.params());
        }
        return new McpMessage.Response((JsonRpcResponse) message);
    }

    private static McpMessage toolCall(JsonRpcRequest request) throws JsonRpcRejection {
        String name = requiredString(request, "name");
        JsonNode arguments = request.params().get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            throw invalidParams(request, "tools/call \"arguments\" must be an object");
        }
        ObjectNode args = arguments == null || arguments.isNull() ? JsonNodeFactory.instance.objectNode() : (ObjectNode) arguments;
        return new McpMessage.ToolCall(request.id(), name, args, request.params().get("_meta"));
    }

    private static McpMessage promptGet(JsonRpcRequest request) throws JsonRpcRejection {
        String name = requiredString(request, "name");
        JsonNode arguments = request.params().get("arguments");
        if (arguments == null || arguments.isNull()) {
            return new McpMessage.PromptGet(request.id(), name, JsonNodeFactory.instance.objectNode());
        }
        if (!arguments.isObject()) {
            throw invalidParams(request, "prompts/get \"arguments\" must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = arguments.fields(); it.hasNext(); ) {
            if (!it.next().getValue().isTextual()) {
                throw invalidParams(request, "prompts/get argument values must be strings");
            }
        }
        return new McpMessage.PromptGet(request.id(), name, (ObjectNode) arguments);
    }

    private static String requiredString(JsonRpcRequest request, String field) throws JsonRpcRejection {
        JsonNode params = request.params();
        JsonNode value = params == null || !params.isObject() ? null : params.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw invalidParams(request, request.method() + " needs a non-empty string \"" + field + "\" in params");
        }
        return value.textValue();
    }

    private static JsonRpcRejection invalidParams(JsonRpcRequest request, String message) {
        return new JsonRpcRejection(JsonRpcErrorCodes.INVALID_PARAMS, JsonRpcRejection.INVALID_PARAMS, message, request.id().value());
    }
}
