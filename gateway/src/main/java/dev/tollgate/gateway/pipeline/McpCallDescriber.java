package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tollgate.gateway.routing.TaskScope;
import java.util.ArrayList;
import java.util.List;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.protocols.mcp.ListenFilter;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.protocols.mcp.McpMethods;

/**
 * Turns a classified MCP message into the protocol-neutral call description policy reads. Returns null
 * for what policy does not decide: notifications, responses, and the session plumbing ({@code initialize},
 * {@code ping}, and the 2026-07-28 {@code server/discover}), which carry no action of their own. Plumbing is
 * not policed because refusing it changes nothing but the protocol: a client refused {@code server/discover}
 * silently falls back to 2025-11-25 and makes the same calls there.
 */
final class McpCallDescriber {

    private McpCallDescriber() {
    }

    /** @param taskScope what the route's task bindings are kept under ({@link dev.tollgate.gateway.routing.Route#taskScope}) */
    static CallDescription describe(String route, TaskScope taskScope, McpMessage message, TaskOrigins tasks) {
        // Java 17: no pattern matching for switch yet, so an instanceof chain over the sealed type.
        if (message instanceof McpMessage.ToolCall call) {
            return CallDescription.mcpToolCall(route, call.toolName(), call.arguments());
        }
        if (message instanceof McpMessage.ResourceRead read) {
            return CallDescription.mcpResourceRead(route, read.uri());
        }
        if (message instanceof McpMessage.PromptGet prompt) {
            return CallDescription.mcpPromptGet(route, prompt.name(), prompt.arguments());
        }
        if (message instanceof McpMessage.ServerRequest request) {
            return CallDescription.mcpServerRequest(route, request.method(), request.params());
        }
        if (message instanceof McpMessage.OtherRequest request && McpMethods.isTaskRequest(request.method())) {
            JsonNode taskId = request.params() == null ? null : request.params().get("taskId");
            String tool = taskId != null && taskId.isTextual() ? tasks.toolOf(taskScope, taskId.textValue()) : null;
            return CallDescription.mcpTaskRequest(route, request.method(), tool, request.params());
        }
        if (message instanceof McpMessage.OtherRequest request && !isSessionPlumbing(request.method())) {
            return namedTarget(route, request);
        }
        return null;
    }

    /**
     * The call each client request of a body is, by its id as sent, described as the request side describes it: what
     * result rules read its answer as ({@link CallDescription#mcpResult(CallDescription, JsonNode)}), so a rule scoped
     * by method, resource or prompt holds on the answer to the very call it holds on (review BT). Session plumbing,
     * which policy does not decide, is described by its method alone.
     */
    static java.util.Map<JsonNode, CallDescription> answeredCalls(String route, TaskScope taskScope, List<McpMessage> messages,
                                                                  TaskOrigins tasks) {
        java.util.Map<JsonNode, CallDescription> calls = new java.util.HashMap<>();
        for (McpMessage message : messages) {
            JsonNode id = requestIdValue(message);
            if (id == null) {
                continue;
            }
            CallDescription call = describe(route, taskScope, message, tasks);
            if (call != null && message instanceof McpMessage.OtherRequest request && McpMethods.isTaskRequest(request.method())
                    && call.toolName() != null) {
                // A task's status and result are its tool call's answer, whichever request fetched them: a result rule
                // scoped {method: tools/call} covers them as it covers the call answered at once (review BU: a client
                // asking for a task escaped it). A task whose tool is unknown is read as of any call (fail closed).
                call = CallDescription.mcpToolCall(route, call.toolName(), request.params());
            }
            if (call == null && message instanceof McpMessage.OtherRequest request) {
                call = CallDescription.mcpRequest(route, request.method(), request.params());
            }
            if (call != null) {
                calls.put(id, call);
            }
        }
        return calls;
    }

    /** A request with the resource or prompt it names (subscriptions, completions), for resource: and prompt: rules. */
    private static CallDescription namedTarget(String route, McpMessage.OtherRequest request) {
        JsonNode params = request.params() == null ? MissingNode.getInstance() : request.params();
        String resource = null, prompt = null;
        switch (request.method()) {
            case McpMethods.RESOURCES_SUBSCRIBE, McpMethods.RESOURCES_UNSUBSCRIBE -> resource = textOrNull(params.path("uri"));
            case McpMethods.COMPLETION_COMPLETE -> {
                JsonNode ref = params.path("ref");
                if ("ref/resource".equals(ref.path("type").asText(null))) {
                    resource = textOrNull(ref.path("uri"));
                } else if ("ref/prompt".equals(ref.path("type").asText(null))) {
                    prompt = textOrNull(ref.path("name"));
                }
            }
            default -> {
                return CallDescription.mcpRequest(route, request.method(), request.params());
            }
        }
        return CallDescription.mcpRequestNaming(route, request.method(), resource, prompt, request.params());
    }

    /**
     * A {@code subscriptions/listen} asking for the updates of resources, as two calls per resource: the listen naming
     * it, and the {@code resources/subscribe} of it that 2025-11-25 spells the same request as, so a denied resource cannot
     * be watched through the 2026 stream either, whether its rule names the resource alone or the older method too (review
     * AU: {@code {all: [{method: resources/subscribe}, {resource: ...}]}} never saw a listen). Empty for any other call,
     * and for a listen naming no resource (decided as the call it is).
     */
    static List<ListenedResource> listenedResources(CallDescription call) {
        if (!McpMethods.SUBSCRIPTIONS_LISTEN.equals(call.method())) {
            return List.of();
        }
        List<ListenedResource> each = new ArrayList<>();
        for (JsonNode uri : ListenFilter.resourceSubscriptions(call.arguments())) {
            String resource = textOrNull(uri);
            each.add(new ListenedResource(CallDescription.mcpRequestNaming(call.route(), call.method(), resource, null, call.arguments()),
                    CallDescription.mcpRequestNaming(call.route(), McpMethods.RESOURCES_SUBSCRIBE, resource, null,
                            JsonNodeFactory.instance.objectNode().set("uri", uri))));
        }
        return each;
    }

    /**
     * One resource a listen watches, in its two readings. The listen's is the one recorded (the call made), whichever of
     * the two refuses it.
     */
    record ListenedResource(CallDescription asListen, CallDescription asSubscribe) {
        List<CallDescription> readings() {
            return List.of(asListen, asSubscribe);
        }
    }

    private static String textOrNull(JsonNode value) {
        return value.isTextual() ? value.textValue() : null;
    }

    /** The JSON-RPC id of a client request, as text; null for notifications and responses. */
    static String requestId(McpMessage message) {
        if (message instanceof McpMessage.ToolCall m) {
            return m.id().value().asText();
        }
        if (message instanceof McpMessage.ResourceRead m) {
            return m.id().value().asText();
        }
        if (message instanceof McpMessage.PromptGet m) {
            return m.id().value().asText();
        }
        if (message instanceof McpMessage.OtherRequest m) {
            return m.id().value().asText();
        }
        return null;
    }

    /** The JSON-RPC id of a client request as sent (its JSON type kept: {@code 1} is not {@code "1"}); null for notifications and responses. */
    static JsonNode requestIdValue(McpMessage message) {
        if (message instanceof McpMessage.ToolCall m) {
            return m.id().value();
        }
        if (message instanceof McpMessage.ResourceRead m) {
            return m.id().value();
        }
        if (message instanceof McpMessage.PromptGet m) {
            return m.id().value();
        }
        if (message instanceof McpMessage.OtherRequest m) {
            return m.id().value();
        }
        return null;
    }

    private static boolean isSessionPlumbing(String method) {
        return McpMethods.INITIALIZE.equals(method) || McpMethods.PING.equals(method) || McpMethods.SERVER_DISCOVER.equals(method);
    }
}
