package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.limits.ConcurrentCalls;
import dev.tollgate.protocols.mcp.McpMessage;
import io.vertx.core.Future;

/**
 * A {@code tools/call} starts work, and the tasks its caller already runs count against the same limits as its calls in
 * flight (review Y: a caller limited to 1 ran five tools at once by asking for tasks). Over the route's or the caller's
 * limit it is refused 429 like any call over them. Only calls that start work are held back: a task's own
 * {@code tasks/get}, {@code tasks/result} or {@code tasks/cancel} must get through, or the caller could never see its
 * task end.
 * Nor is a 2026 client's retry carrying on a call its pending ask-client approval holds a slot for: that approval is
 * the held work, counted here until it ends ({@link ConcurrentCalls#holdAskedApproval}).
 */
final class TaskConcurrencyStage implements Stage {

    private final ConcurrentCalls calls;
    private final ErrorResponder errors;

    TaskConcurrencyStage(ConcurrentCalls calls, ErrorResponder errors) {
        this.calls = calls;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "task-concurrency";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (!startsWork(exchange) || carriesOnAskedApproval(exchange)) {
            return StageResult.proceed();
        }
        var route = exchange.route().route();
        ConcurrentCalls.Admission over = calls.admitBesideTasks(route.name(), ConcurrencyStage.callerKey(exchange),
                ConcurrencyStage.tenantKey(exchange), route.config().concurrency());
        return over == null ? StageResult.proceed()
                : ConcurrencyStage.refused(exchange, over, errors, "calls in flight, running tasks and pending ask-client approvals");
    }

    /**
     * A 2026 client's retry answering the gateway's question about a call whose approval still holds a slot here: the same
     * call carried on, not new work. Its answer ends the approval and gives that slot back, so counting it again would
     * refuse, to a caller at its limit, the very answer that frees it.
     */
    private boolean carriesOnAskedApproval(Exchange exchange) {
        if (!(exchange.payload() instanceof dev.tollgate.protocols.jsonrpc.JsonRpcPayload.Single single)
                || !(single.message() instanceof dev.tollgate.protocols.jsonrpc.JsonRpcRequest request)) {
            return false;
        }
        return AskClientState.read(exchange, request) instanceof AskClientState.Ours ours && calls.holdsAskedApproval(ours.state().approvalId());
    }

    private static boolean startsWork(Exchange exchange) {
        if (exchange.a2a() != null) {
            // An A2A message starts the agent's work (review Z: A2A tasks ran uncounted).
            var call = exchange.a2a().call();
            return call != null && (call.method() == dev.tollgate.protocols.a2a.A2aMethod.SEND_MESSAGE
                    || call.method() == dev.tollgate.protocols.a2a.A2aMethod.SEND_STREAMING_MESSAGE);
        }
        for (McpMessage message : exchange.messages()) {
            if (message instanceof McpMessage.ToolCall) {
                return true;
            }
        }
        return false;
    }
}
