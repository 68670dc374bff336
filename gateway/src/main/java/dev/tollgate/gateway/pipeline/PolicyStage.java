package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides every policed message of the request on the event loop (microseconds, no I/O). A denied single
 * call is answered here and never forwarded. A batch is decided element by element: denied elements are
 * answered with errors, the allowed ones are forwarded as a smaller batch, and the two are merged in the
 * answer. Audit and shadow decisions allow the call; they are recorded by the later stages.
 */
public final class PolicyStage implements Stage {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ErrorResponder errors;

    public PolicyStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "policy";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.messages().isEmpty()) {
            return StageResult.proceed();
        }
        CompiledPolicy policy = exchange.policy();
        String route = exchange.route().route().name();
        Instant now = Instant.now();
        List<Decision> decisions = new ArrayList<>(exchange.messages().size());
        int denied = 0;
        for (int i = 0; i < exchange.messages().size(); i++) {
            CallDescription call = McpCallDescriber.describe(route, exchange.messages().get(i));
            Decision decision = call == null ? null : RoutePolicy.decide(policy, new PolicyRequest(call, exchange.identity(), now));
            decisions.add(decision);
            if (decision != null && decision.enforcedDeny()) {
                denied++;
            }
        }
        exchange.decided(decisions);
        if (denied == 0) {
            return StageResult.proceed();
        }
        if (exchange.payload() instanceof JsonRpcPayload.Single single) {
            Decision decision = decisions.get(0);
            JsonNode id = ((JsonRpcRequest) single.message()).id().value();
            errors.respondWith(exchange.response(), PolicyDenials.reasonFor(decision), bytes(PolicyDenials.response(id, decision)));
            return StageResult.responded();
        }
        return splitBatch(exchange, decisions, denied);
    }

    private Future<StageResult> splitBatch(Exchange exchange, List<Decision> decisions, int denied) {
        List<JsonRpcMessage> messages = exchange.payload().messages();
        ArrayNode denials = JsonNodeFactory.instance.arrayNode();
        Decision firstDenial = null;
        for (int i = 0; i < messages.size(); i++) {
            Decision decision = decisions.get(i);
            if (decision != null && decision.enforcedDeny()) {
                denials.add(PolicyDenials.response(((JsonRpcRequest) messages.get(i)).id().value(), decision));
                firstDenial = firstDenial == null ? decision : firstDenial;
            }
        }
        if (denied == messages.size()) {
            errors.respondWith(exchange.response(), PolicyDenials.reasonFor(firstDenial), bytes(denials));
            return StageResult.responded();
        }
        // Rare path (batches exist only before MCP 2025-06-18): re-read the body as a tree and keep the
        // allowed elements. Duplicate keys were refused at parse time, so this re-serialization means
        // exactly what the client sent.
        ArrayNode allowed = JsonNodeFactory.instance.arrayNode();
        JsonNode original = tree(exchange.body());
        for (int i = 0; i < messages.size(); i++) {
            Decision decision = decisions.get(i);
            if (decision == null || !decision.enforcedDeny()) {
                allowed.add(original.get(i));
            }
        }
        exchange.forwardPartialBatch(Buffer.buffer(bytes(allowed)), denials);
        return StageResult.proceed();
    }

    private static JsonNode tree(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw new IllegalStateException("body parsed once already failed to parse again", e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
