package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.sse.SseEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.function.BiConsumer;

/**
 * Policy on the way back: filters {@code tools/list} answers (JSON or SSE) down to the tools the caller may
 * ever call, merges the errors for denied batch elements into the upstream's answer, and decides the
 * requests a server sends to the client on an SSE stream (sampling, elicitation, roots). A denied
 * server-to-client request is not delivered; the gateway answers it to the upstream on the client's behalf
 * so the upstream does not wait forever.
 */
final class McpResponseFilter implements ResponseFilter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StrictJsonParser PARSER = new StrictJsonParser();

    private final CompiledPolicy policy;
    private final Identity identity;
    private final String route;
    private final JsonNode toolsListId;
    private final ArrayNode batchDenials;
    private final BiConsumer<JsonNode, Decision> answerUpstream;
    private final DecisionListener decisions;

    /** Told about every server-to-client request decided, allowed or denied (for metrics and audit). */
    @FunctionalInterface
    interface DecisionListener {
        void decided(CallDescription call, Decision decision, JsonNode id);
    }

    McpResponseFilter(Exchange exchange, BiConsumer<JsonNode, Decision> answerUpstream, DecisionListener decisions) {
        this.decisions = decisions;
        this.policy = exchange.policy();
        this.identity = exchange.identity();
        this.route = exchange.route().route().name();
        this.toolsListId = toolsListRequestId(exchange);
        this.batchDenials = exchange.batchDenials();
        this.answerUpstream = answerUpstream;
    }

    @Override
    public boolean rewritesJson() {
        return toolsListId != null || batchDenials != null;
    }

    /** Errors for denied batch elements, to send before the upstream's events when it answers with SSE. */
    @Override
    public ArrayNode batchDenials() {
        return batchDenials;
    }

    @Override
    public byte[] rewriteJson(byte[] body, io.vertx.core.http.HttpServerResponse response) {
        return rewriteJson(body);
    }

    /** Rewrites a whole JSON answer; returns the input when nothing changes. */
    byte[] rewriteJson(byte[] body) {
        JsonNode root;
        try {
            root = PARSER.parse(body);
        } catch (JsonRejection e) {
            return body;
        }
        boolean changed = filterToolsList(root);
        if (batchDenials != null) {
            ArrayNode merged = root.isArray() ? (ArrayNode) root : JSON.createArrayNode().add(root);
            merged.addAll(batchDenials);
            root = merged;
            changed = true;
        }
        return changed ? bytes(root) : body;
    }

    /** For {@link dev.tollgate.gateway.upstream.SseEventRelay}: the event to deliver, rewritten, or null to drop. */
    @Override
    public SseEvent onEvent(SseEvent event) {
        if (event.data() == null || event.data().isEmpty()) {
            return event;
        }
        JsonNode message;
        try {
            message = PARSER.parse(event.data().getBytes(StandardCharsets.UTF_8));
        } catch (JsonRejection e) {
            return event;
        }
        if (!message.isObject()) {
            return event;
        }
        String method = message.path("method").asText(null);
        JsonNode id = message.get("id");
        if (method != null && id != null && McpMethods.isServerToClientRequest(method) && !McpMethods.PING.equals(method)) {
            CallDescription call = CallDescription.mcpServerRequest(route, method, message.get("params"));
            Decision decision = RoutePolicy.decide(policy, new PolicyRequest(call, identity, Instant.now()));
            decisions.decided(call, decision, id);
            if (decision.enforcedDeny()) {
                answerUpstream.accept(id, decision);
                return null;
            }
            return event;
        }
        return filterToolsList(message) ? event.withData(new String(bytes(message), StandardCharsets.UTF_8)) : event;
    }

    /** Removes from a tools/list result the tools this caller can never call; true when anything was removed. */
    private boolean filterToolsList(JsonNode response) {
        if (toolsListId == null || !response.isObject() || !toolsListId.equals(response.get("id"))) {
            return false;
        }
        JsonNode tools = response.path("result").path("tools");
        if (!tools.isArray()) {
            return false;
        }
        boolean removed = false;
        for (Iterator<JsonNode> it = tools.elements(); it.hasNext(); ) {
            JsonNode tool = it.next();
            String name = tool.path("name").asText(null);
            if (name != null && (policy == null || !policy.mayEverCall(name, identity))) {
                it.remove();
                removed = true;
            }
        }
        return removed;
    }

    private static JsonNode toolsListRequestId(Exchange exchange) {
        if (exchange.payload() instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request
                && McpMethods.TOOLS_LIST.equals(request.method())) {
            return request.id().value();
        }
        return null;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode denialResponse(JsonNode id, Decision decision) {
        return PolicyDenials.response(id, decision);
    }
}
