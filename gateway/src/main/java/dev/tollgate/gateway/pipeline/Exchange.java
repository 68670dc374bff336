package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.gateway.routing.RouteMatch;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.mcp.McpMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * Typed per-request state, handed from stage to stage on one event loop. Fields are filled in by the
 * stage that owns them (body by the body stage, payload by the parse stage), read by later ones. Never
 * shared across threads; configuration lives in the immutable {@link GatewaySnapshot}.
 */
public final class Exchange {

    private final HttpServerRequest request;
    private final GatewaySnapshot snapshot;
    private final ListenerRuntime listener;
    private final RouteMatch route;
    private final long startNanos;
    private Buffer body;
    private JsonRpcPayload payload;
    private List<McpMessage> messages = List.of();
    private List<Decision> decisions = List.of();
    private Identity identity = Identity.ANONYMOUS;
    private Buffer forwardBody;
    private ArrayNode batchDenials;

    public Exchange(HttpServerRequest request, GatewaySnapshot snapshot, ListenerRuntime listener, RouteMatch route,
                    long startNanos) {
        this.request = request;
        this.snapshot = snapshot;
        this.listener = listener;
        this.route = route;
        this.startNanos = startNanos;
    }

    public HttpServerRequest request() {
        return request;
    }

    public HttpServerResponse response() {
        return request.response();
    }

    public GatewaySnapshot snapshot() {
        return snapshot;
    }

    public ListenerRuntime listener() {
        return listener;
    }

    public RouteMatch route() {
        return route;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The request body, or null for bodiless requests (GET, DELETE). */
    public Buffer body() {
        return body;
    }

    void body(Buffer body) {
        this.body = body;
    }

    public JsonRpcPayload payload() {
        return payload;
    }

    /** The classified MCP messages of a POST body, one per JSON-RPC element; empty for GET and DELETE. */
    public List<McpMessage> messages() {
        return messages;
    }

    void parsed(JsonRpcPayload payload, List<McpMessage> messages) {
        this.payload = payload;
        this.messages = List.copyOf(messages);
    }

    /** The caller's identity (workload and action); anonymous until an identity stage sets it. */
    public Identity identity() {
        return identity;
    }

    void identity(Identity identity) {
        this.identity = identity;
    }

    /** The policy deciding this request's route in this request's snapshot; null means none (fail closed). */
    public CompiledPolicy policy() {
        return snapshot.policyFor(route.route());
    }

    /** One decision per message, null where policy does not decide (notifications, responses, initialize). */
    public List<Decision> decisions() {
        return decisions;
    }

    void decided(List<Decision> decisions) {
        this.decisions = java.util.Collections.unmodifiableList(decisions);
    }

    /** What to send upstream: the original body, or the allowed part of a partly denied batch. */
    public Buffer forwardBody() {
        return forwardBody != null ? forwardBody : body;
    }

    /** Error responses for the denied elements of a batch, to merge into the upstream's answer; or null. */
    public ArrayNode batchDenials() {
        return batchDenials;
    }

    void forwardPartialBatch(Buffer allowedElements, ArrayNode denials) {
        this.forwardBody = allowedElements;
        this.batchDenials = denials;
    }
}
