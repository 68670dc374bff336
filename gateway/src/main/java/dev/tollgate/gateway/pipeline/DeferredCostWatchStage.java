package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.budget.DeferredCosts;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.protocols.mcp.McpMethods;
import io.vertx.core.Future;

/**
 * Has the answer read for costs when it may settle a call paid earlier (see {@link DeferredCosts}): a {@code tasks/result}
 * of a task whose creating call awaits its cost, or a GET resuming the stream of a call that ended unanswered. Every
 * other exchange reads no answer it does not charge: only these few pay for the parse.
 */
final class DeferredCostWatchStage implements Stage {

    private final DeferredCosts deferred;
    /** Whether another replica may have deferred a task's cost (tasks: {store: redis}): then every tasks/result is read. */
    private final boolean sharedTasks;

    DeferredCostWatchStage(DeferredCosts deferred, boolean sharedTasks) {
        this.deferred = deferred;
        this.sharedTasks = sharedTasks;
    }

    @Override
    public String name() {
        return "deferred-cost-watch";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.a2a() != null) {
            return StageResult.proceed();
        }
        if (exchange.resumedCall() != null) {
            if (deferred.awaitingOnStream(CallerKey.of(exchange.identity()), exchange.upstreamSessionId())
                    .containsKey(exchange.resumedCall().requestId())) {
                exchange.watchOutcome();
            }
            return StageResult.proceed();
        }
        String scope = exchange.route().route().taskScope();
        for (McpMessage message : exchange.messages()) {
            String taskId = taskResultOf(message);
            if (taskId != null && (sharedTasks || deferred.awaitsTaskResult(scope, taskId))) {
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
