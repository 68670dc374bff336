package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import dev.tollgate.protocols.mcp.McpMethods;
import java.util.Set;

/**
 * Reads from the upstream's messages when an MCP task starts and when it ends (MCP 2025-11-25 tasks), for the concurrency
 * slot a running task holds ({@link dev.tollgate.gateway.limits.RunningTasks}).
 */
final class TaskLifecycle {

    /** The statuses after which a task does no more work. */
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

    /** A task an answer created. */
    record Created(String taskId) {
    }

    private TaskLifecycle() {
    }

    /** Whether the answer to a request of this method may show a task ended (so it is read, not passed as a plain result). */
    static boolean mayEndTask(String method) {
        return McpMethods.TASKS_GET.equals(method) || McpMethods.TASKS_RESULT.equals(method) || McpMethods.TASKS_CANCEL.equals(method);
    }

    /** The task a successful answer created ({@code result.task.taskId}), or null. */
    static Created created(JsonRpcResponse response) {
        if (response.isError() || response.result() == null) {
            return null;
        }
        JsonNode task = response.result().path("task");
        JsonNode taskId = task.get("taskId");
        if (taskId == null || !taskId.isTextual() || TERMINAL.contains(task.path("status").asText())) {
            return null;
        }
        return new Created(taskId.textValue());
    }

    /**
     * The task an answer shows ended: a result naming a task in a terminal status (a {@code tasks/get} or
     * {@code tasks/cancel} answer), or a result answering a {@code tasks/result} of this exchange's payload (the task's
     * result has been given). Null when none. An error ends nothing: a server refusing a malformed {@code tasks/cancel} or
     * {@code tasks/result} says nothing of the task, which may run on (a caller could otherwise free its slot at will).
     */
    static String ended(JsonRpcResponse response, JsonRpcPayload payload) {
        if (response.isError() || response.result() == null) {
            return null;
        }
        JsonNode result = response.result();
        if (result.path("taskId").isTextual() && TERMINAL.contains(result.path("status").asText())) {
            return result.get("taskId").textValue();
        }
        if (payload == null || response.id() == null || "input_required".equals(result.path("resultType").asText(null))) {
            return null;
        }
        for (JsonRpcMessage message : payload.messages()) {
            if (message instanceof JsonRpcRequest request && request.id().equals(response.id())
                    && McpMethods.TASKS_RESULT.equals(request.method())
                    && request.params() != null && request.params().path("taskId").isTextual()) {
                return request.params().get("taskId").textValue();
            }
        }
        return null;
    }

    /** The task a {@code notifications/tasks/status} shows ended, or null. */
    static String ended(JsonRpcNotification notification) {
        JsonNode params = notification.params();
        if (!McpMethods.NOTIFICATIONS_TASKS_STATUS.equals(notification.method()) || params == null
                || !params.path("taskId").isTextual() || !TERMINAL.contains(params.path("status").asText())) {
            return null;
        }
        return params.get("taskId").textValue();
    }
}
