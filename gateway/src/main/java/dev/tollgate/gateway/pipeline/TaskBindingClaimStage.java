package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import io.vertx.core.Future;

/**
 * Right before a call is forwarded, and only then (review AG: the claim was made before policy, so even a call the policy
 * denied took the context it named): an A2A message naming a context nobody holds claims it for its caller, and a call
 * that may start a task or a conversation is refused 429 {@code task_bindings_full} when its tenant's share of the task
 * table is full ({@link TaskOrigins}: no other caller's binding is ever pushed out to make room). The upstream sees
 * nothing of a refused call.
 *
 * <p>The claim stays before the send, not at the answer: meanwhile the agent already keeps the conversation under that
 * id, and another caller who knows it (a context id the client chose) would join it. A context another caller already
 * holds was refused before policy ({@link TaskOwnershipStage}); one claimed meanwhile (a held call, another event loop,
 * the shared store) is refused here the same way, {@code a2a_context_not_found}.
 */
final class TaskBindingClaimStage implements Stage {

    private final TaskOrigins tasks;
    private final ErrorResponder errors;

    TaskBindingClaimStage(TaskOrigins tasks, ErrorResponder errors) {
        this.tasks = tasks;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "task-binding-claim";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.a2a() != null) {
            var call = exchange.a2a().call();
            if (call == null || !call.method().sendsMessage()) {
                return StageResult.proceed();
            }
            String caller = CallerKey.of(exchange.identity());
            // A message may start a task (unless it continues one of the caller's), and a conversation when it names none:
            // room for both before it goes.
            TaskScope route = exchange.route().route().taskScope();
            boolean continuesOwnTask = call.taskId() != null && tasks.boundTo(route, call.taskId(), caller);
            if (!continuesOwnTask && !tasks.roomForTask(caller) || call.contextId() == null && !tasks.roomForContext(caller)) {
                return a2aFull(exchange);
            }
            if (call.contextId() == null || caller == null) {
                return StageResult.proceed();
            }
            Future<Boolean> claimed = tasks.learnContext(route, call.contextId(), caller);
            if (claimed.isComplete()) {
                return afterClaim(exchange, route, caller, claimed);
            }
            return claimed.transform(ar -> afterClaim(exchange, route, caller, claimed));
        }
        return mcp(exchange);
    }

    /** The claim's outcome: store unreachable (503), share full (429), lost to another caller (not found), or ours. */
    private Future<StageResult> afterClaim(Exchange exchange, TaskScope route, String caller, Future<Boolean> claimed) {
        if (claimed.failed()) {
            A2aErrors.respond(exchange, errors, RejectReason.TASK_STORE_UNAVAILABLE, "the conversation could not be bound in the task store");
            return StageResult.responded();
        }
        if (!claimed.result()) {
            return a2aFull(exchange);
        }
        if (tasks.contextBoundToAnother(route, exchange.a2a().call().contextId(), caller)) {
            A2aErrors.respond(exchange, errors, RejectReason.A2A_CONTEXT_NOT_FOUND, null);
            return StageResult.responded();
        }
        return StageResult.proceed();
    }

    private Future<StageResult> a2aFull(Exchange exchange) {
        A2aErrors.respond(exchange, errors, RejectReason.TASK_BINDINGS_FULL, TaskOrigins.FULL_DETAIL);
        return StageResult.responded();
    }

    /** An MCP {@code tools/call} asking for a task ({@code params.task}) needs room for it in its tenant's share. */
    private Future<StageResult> mcp(Exchange exchange) {
        if (exchange.payload() == null) {
            return StageResult.proceed();
        }
        for (JsonRpcMessage message : exchange.payload().messages()) {
            // The caller's key only for a call asking for a task: every other call passes without building it.
            if (message instanceof JsonRpcRequest request && McpMethods.TOOLS_CALL.equals(request.method()) && request.params() != null
                    && request.params().path("task").isObject() && !tasks.roomForTask(CallerKey.of(exchange.identity()))) {
                exchange.errorType(RejectReason.TASK_BINDINGS_FULL.code());
                return errors.respond(exchange.response(), RejectReason.TASK_BINDINGS_FULL,
                        exchange.payload().messages().size() == 1 ? request.id().value() : null, TaskOrigins.FULL_DETAIL)
                        .transform(done -> StageResult.responded());
            }
        }
        return StageResult.proceed();
    }
}
