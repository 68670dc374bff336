package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.TenantKey;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * A request of an upstream session may not reuse an id still in flight in that session (see {@link SessionRequestIds}):
 * 400 {@code duplicate_id} before it is decided or forwarded. Calls outside a session are left alone: a stateless
 * server reads each POST on its own transport, so ids of different POSTs never meet there.
 */
public final class SessionRequestIdStage implements Stage {

    /** How a forwarded call ends while the upstream may still be running it. */
    private static final java.util.Set<String> ENDED_BEFORE_THE_ANSWER = java.util.Set.of("client_aborted",
            RejectReason.UPSTREAM_TIMEOUT.code(), RejectReason.UPSTREAM_ERROR.code());

    private final SessionRequestIds ids;
    private final ErrorResponder errors;

    public SessionRequestIdStage(SessionRequestIds ids, ErrorResponder errors) {
        this.ids = ids;
        this.errors = errors;
    }

    private static boolean endedBeforeTheAnswer(Exchange exchange) {
        String error = exchange.errorType(); // Set.of refuses to look up null
        return error != null && exchange.upstreamNanos() > 0 && ENDED_BEFORE_THE_ANSWER.contains(error);
    }

    @Override
    public String name() {
        return "session-request-ids";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        String session = exchange.upstreamSessionId();
        if (session == null || exchange.payload() == null) {
            return StageResult.proceed();
        }
        List<JsonNode> requestIds = new ArrayList<>(1);
        List<String> tools = new ArrayList<>(1);
        for (JsonRpcMessage message : exchange.payload().messages()) {
            if (message instanceof JsonRpcRequest request) {
                requestIds.add(request.id().value());
                // The tool, for its result resumed on the session's GET stream (decided under that tool's result rules).
                tools.add(McpMethods.TOOLS_CALL.equals(request.method()) && request.params() != null && request.params().path("name").isTextual()
                        ? request.params().get("name").textValue() : SessionRequestIds.NOT_A_TOOL_CALL);
            }
        }
        if (requestIds.isEmpty()) {
            return StageResult.proceed();
        }
        // By route and the upstream's session id alone: two sealed ids of one upstream session (one naming its instance,
        // one from before the route had several) must not get past each other. Abandoned ids count against the tenant's
        // holdings share: its sub-users, agents and runs are one tenant (review AI), the users behind one workload are not
        // (review AJ).
        SessionRequestIds.Claim claim = ids.claim(exchange.route().route().name(), session, TenantKey.ofHolder(exchange.identity()),
                requestIds, tools);
        if (claim instanceof SessionRequestIds.Taken taken) {
            // Forwarded and ended before its answer came (client gone, timed out, connection lost): the upstream may
            // still run it. An answer the gateway refused or withheld did come: the id is free again.
            exchange.onComplete(() -> (endedBeforeTheAnswer(exchange) ? taken.abandon() : taken.release()).run());
            return StageResult.proceed();
        }
        JsonNode id = ((SessionRequestIds.InFlight) claim).id();
        exchange.errorType(RejectReason.DUPLICATE_ID.code());
        errors.respond(exchange.response(), RejectReason.DUPLICATE_ID, id,
                "request id " + id + " is already in flight in this session (the upstream pairs answers with calls by id)");
        return StageResult.responded();
    }
}
