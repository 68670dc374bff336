package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * Decides every policed message of the request on the event loop (microseconds, no I/O). It only decides:
 * the trace stage records the decision and the enforce stage answers a denied request, so the decision is
 * on the span before anything is sent. A batch is decided element by element: denied elements are answered
 * with errors, the allowed ones are forwarded as a smaller batch, and the two are merged in the answer.
 * Audit and shadow decisions allow the call; they are recorded at completion.
 */
public final class PolicyStage implements Stage {

    private static final ObjectMapper JSON = new ObjectMapper();


    @Override
    public String name() {
        return "policy";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.a2a() != null) {
            return decideA2a(exchange);
        }
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
            exchange.denied(bytes(PolicyDenials.response(id, decision)), PolicyDenials.reasonFor(decision));
            return StageResult.proceed();
        }
        return splitBatch(exchange, decisions, denied);
    }

    /**
     * An A2A request is one call (A2A has no batches). The public agent card is discovery, not a call: it is
     * not decided here, its skills are filtered on the way back.
     */
    private Future<StageResult> decideA2a(Exchange exchange) {
        A2aExchange a2a = exchange.a2a();
        if (a2a.call() == null) {
            return StageResult.proceed();
        }
        CallDescription call = A2aCallDescriber.describe(exchange.route().route().name(), a2a.call());
        Decision decision = RoutePolicy.decide(exchange.policy(), new PolicyRequest(call, exchange.identity(), Instant.now()));
        exchange.decided(List.of(decision));
        if (decision.enforcedDeny()) {
            if (a2a.restShaped()) {
                exchange.denied(A2aErrors.restDenial(decision), PolicyDenials.reasonFor(decision), A2aErrors.DENIED_STATUS);
            } else {
                exchange.denied(bytes(PolicyDenials.response(a2a.jsonRpcId(), decision)), PolicyDenials.reasonFor(decision));
            }
        }
        return StageResult.proceed();
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
            exchange.denied(bytes(denials), PolicyDenials.reasonFor(firstDenial));
            return StageResult.proceed();
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
