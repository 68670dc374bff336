package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * A task belongs to the caller whose {@code tools/call} created it: another caller's {@code tasks/get},
 * {@code tasks/result}, {@code tasks/update} or {@code tasks/cancel} naming it is told the task does not
 * exist (it must not learn otherwise) and nothing is forwarded. A task the gateway did not see created, or
 * one created by an anonymous caller, binds nobody (see {@link TaskOrigins}). A2A tasks the same way: one
 * created by another caller's SendMessage is not found (A2A's TaskNotFoundError, -32001 / 404), whether the call names
 * it as its task or among a message's {@code referenceTaskIds}; a message naming a context another caller started is
 * refused the same way (reason {@code a2a_context_not_found}), here before policy; a context nobody holds is claimed
 * for the caller only when its message is about to be forwarded ({@link TaskBindingClaimStage}). On a route with
 * several upstream instances, a request naming a known task is pinned to the instance that created it.
 */
final class TaskOwnershipStage implements Stage {

    private final TaskOrigins tasks;
    private final ErrorResponder errors;

    TaskOwnershipStage(TaskOrigins tasks, ErrorResponder errors) {
        this.tasks = tasks;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "task-ownership";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        // Every route to this server shares its task bindings (review V: a second route was one where nobody's were bound).
        TaskScope route = exchange.route().route().taskScope();
        String caller = CallerKey.of(exchange.identity());
        if (exchange.a2a() != null) {
            // GetTask, CancelTask, SubscribeToTask, push configs, a message continuing a task, and the tasks a message
            // references (the agent loads each and hands it to its executor).
            var call = exchange.a2a().call();
            // A context another caller started is not joined: agents keep a conversation's history and memory under it.
            if (call != null && call.contextId() != null && tasks.contextBoundToAnother(route, call.contextId(), caller)) {
                return contextNotFound(exchange);
            }
            // A message naming a context nobody holds claims it, but only once it will be forwarded: after policy, approval and
            // enforcement (TaskBindingClaimStage), so a call that is refused claims nothing (review AG).
            return checkTasks(exchange, route, caller);
        }
        return checkMcpTasks(exchange, route, caller);
    }

    private Future<StageResult> contextNotFound(Exchange exchange) {
        exchange.errorType(RejectReason.A2A_CONTEXT_NOT_FOUND.code());
        A2aErrors.respond(exchange, errors, RejectReason.A2A_CONTEXT_NOT_FOUND, null);
        return StageResult.responded();
    }

    /** The A2A tasks the call names: another caller's is not found; a known one pins the call to its instance. */
    private Future<StageResult> checkTasks(Exchange exchange, TaskScope route, String caller) {
        var call = exchange.a2a().call();
        List<String> named = new ArrayList<>();
        if (call != null && call.taskId() != null) {
            named.add(call.taskId());
        }
        if (call != null) {
            named.addAll(call.referenceTaskIds());
        }
        for (String taskId : named) {
            TaskOrigins.Origin origin = tasks.of(route, taskId);
            if (origin != null && origin.boundToAnother(caller)) {
                exchange.errorType(RejectReason.A2A_TASK_NOT_FOUND.code());
                A2aErrors.respond(exchange, errors, RejectReason.A2A_TASK_NOT_FOUND, null);
                return StageResult.responded();
            }
            if (origin != null && origin.instance() != null && exchange.pinnedUpstream() == null) {
                // The continued task's instance first: a referenced task held elsewhere is "not found" there, never another's.
                exchange.pinnedUpstream(origin.instance());
            }
        }
        return StageResult.proceed();
    }

    /**
     * The MCP tasks the messages name: a task request's {@code params.taskId}, and on any message the task its
     * {@code _meta["io.modelcontextprotocol/related-task"]} relates it to, which the TypeScript SDK server reads on every
     * request: it runs the request as part of that task (its handler gets the task and its store, its answer and
     * notifications go to the task's queue, a request it sends the client sets the task to input_required). Review K:
     * another caller's task, refused to it by tasks/get, was joined this way on a stateless server.
     */
    private Future<StageResult> checkMcpTasks(Exchange exchange, TaskScope route, String caller) {
        List<JsonRpcMessage> messages = exchange.payload() == null ? List.of() : exchange.payload().messages();
        for (JsonRpcMessage message : messages) {
            if (!(message instanceof JsonRpcRequest) && !(message instanceof JsonRpcNotification)) {
                continue; // a client's answer to the server's request: the SDK reads no related task on responses
            }
            JsonNode params = message instanceof JsonRpcRequest r ? r.params() : ((JsonRpcNotification) message).params();
            JsonNode id = message instanceof JsonRpcRequest r ? r.id().value() : null;
            String method = message instanceof JsonRpcRequest r ? r.method() : ((JsonRpcNotification) message).method();
            if (params == null || !params.isObject()) {
                continue;
            }
            if (McpMethods.isTaskRequest(method) && params.has("taskId")
                    && !checkMcpTask(exchange, route, caller, params.get("taskId"), id, method + " params.taskId")) {
                return StageResult.responded();
            }
            JsonNode meta = params.get("_meta");
            JsonNode related = meta != null && meta.isObject() ? meta.get(RELATED_TASK) : null;
            if (related != null) {
                JsonNode relatedId = related.isObject() ? related.get("taskId") : null;
                if (!checkMcpTask(exchange, route, caller, relatedId, id, method + " params._meta[\"" + RELATED_TASK + "\"].taskId")) {
                    return StageResult.responded();
                }
            }
        }
        return StageResult.proceed();
    }

    static final String RELATED_TASK = "io.modelcontextprotocol/related-task";

    /** False when the call was answered: an id that is not a non-empty string, or another caller's task (not found). */
    private boolean checkMcpTask(Exchange exchange, TaskScope route, String caller, JsonNode taskId, JsonNode requestId, String where) {
        JsonNode answerId = exchange.messages().size() == 1 ? requestId : null;
        if (taskId == null || !(taskId.isTextual() && !taskId.textValue().isEmpty())) {
            // An id the gateway cannot look up must not reach a server that may read it as text (the A2A SDK's
            // String(["job-1"]) is "job-1"): refused, as A2A routes refuse such ids.
            exchange.errorType(RejectReason.INVALID_PARAMS.code());
            errors.respond(exchange.response(), RejectReason.INVALID_PARAMS, answerId, where + " must be a non-empty string");
            return false;
        }
        TaskOrigins.Origin origin = tasks.of(route, taskId.textValue());
        if (origin != null && origin.boundToAnother(caller)) {
            exchange.errorType(RejectReason.TASK_NOT_FOUND.code());
            errors.respond(exchange.response(), RejectReason.TASK_NOT_FOUND, answerId, null);
            return false;
        }
        if (origin != null && origin.instance() != null && exchange.pinnedUpstream() == null) {
            // A batch naming tasks of two instances goes to the first one's: batches of task requests are rare, and
            // the other instance's answer would be "task not found", never another task.
            exchange.pinnedUpstream(origin.instance());
        }
        return true;
    }
}
