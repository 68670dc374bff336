package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.budget.DeferredCosts;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.a2a.A2aMethod;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.protocols.mcp.McpMethods;
import io.vertx.core.Future;

/**
 * Has the answer read for costs when it may settle a call paid earlier (see {@link DeferredCosts}): every
 * {@code tasks/result} (its task's creating call may await its cost here, on another replica, or in an exchange still
 * open), and a GET resuming the stream of a request that ended unanswered. Every other exchange reads no answer it does
 * not charge: only these few pay for the parse.
 */
final class DeferredCostWatchStage implements Stage {

    private final DeferredCosts deferred;
    /** With a shared task store another replica may have left the resumed request's entry there: every resume is read. */
    private final boolean shared;

    DeferredCostWatchStage(DeferredCosts deferred, boolean shared) {
        this.deferred = deferred;
        this.shared = shared;
    }

    @Override
    public String name() {
        return "deferred-cost-watch";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.a2a() != null) {
            // A task's GetTask, CancelTask or SubscribeToTask may show it done: the send that started it awaits its cost (review Z).
            var call = exchange.a2a().call();
            if (call != null && (call.method() == A2aMethod.GET_TASK || call.method() == A2aMethod.CANCEL_TASK
                    || call.method() == A2aMethod.SUBSCRIBE_TO_TASK)) {
                exchange.watchOutcome();
            }
            return StageResult.proceed();
        }
        if (exchange.resumedCall() != null) {
            if (shared || deferred.awaitsOnStream(CallerKey.of(exchange.identity()), exchange.upstreamSessionId(), exchange.resumedCall().requestId())) {
                exchange.watchOutcome();
            }
            return StageResult.proceed();
        }
        for (McpMessage message : exchange.messages()) {
            if (taskResultOf(message) != null) {
                exchange.watchOutcome();
                break;
            }
        }
        return StageResult.proceed();
    }

    /** The task a {@code tasks/result} request names, or null for any other message. */
    static String taskResultOf(McpMessage message) {
        if (message instanceof McpMessage.OtherRequest request && McpMethods.TASKS_RESULT.equals(request.method())
                && request.params() != null && request.params().path("taskId").isTextual()) {
            return request.params().get("taskId").textValue();
        }
        return null;
    }
}
