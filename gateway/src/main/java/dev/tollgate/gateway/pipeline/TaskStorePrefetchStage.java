package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.protocols.mcp.McpMethods;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With a shared task store ({@code tasks: {store: redis}}): before ownership and policy are decided, the bindings of the
 * tasks and the context a request names that this replica has not seen are fetched from the store, so that
 * {@link TaskOwnershipStage}, {@link PolicyStage} and the answer's result rules read them as if the task had been
 * created here. The readers stay synchronous; only this stage waits, and only for ids missing here. When the store
 * cannot answer, the request is refused 503 {@code task_store_unavailable} and nothing is forwarded (fail closed): an
 * unknown task would otherwise be anyone's. Without a shared store this stage does nothing.
 */
final class TaskStorePrefetchStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(TaskStorePrefetchStage.class);

    private final TaskOrigins tasks;
    private final ErrorResponder errors;

    TaskStorePrefetchStage(TaskOrigins tasks, ErrorResponder errors) {
        this.tasks = tasks;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "task-store-prefetch";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (!tasks.shared()) {
            return StageResult.proceed();
        }
        List<String> taskIds = new ArrayList<>();
        List<String> contextIds = new ArrayList<>();
        named(exchange, taskIds, contextIds);
        if (taskIds.isEmpty() && contextIds.isEmpty()) {
            return StageResult.proceed();
        }
        String route = exchange.route().route().name();
        Future<Void> loaded = tasks.load(exchange.route().route().taskScope(), taskIds, contextIds, Vertx.currentContext());
        if (loaded.succeeded()) {
            return StageResult.proceed();
        }
        return loaded.transform(ar -> {
            if (ar.succeeded()) {
                return StageResult.proceed();
            }
            CallLogContext.log(exchange, () -> LOG.warn("route {}: task store unavailable, call refused: {}", route, ar.cause().toString()));
            refuse(exchange, "the task store could not be read: " + ar.cause().getMessage());
            return StageResult.responded();
        });
    }

    /** The ids {@link TaskOwnershipStage} reads: an A2A call's task, referenced tasks and context; MCP tasks/* taskIds. */
    private static void named(Exchange exchange, List<String> taskIds, List<String> contextIds) {
        if (exchange.a2a() != null) {
            var call = exchange.a2a().call();
            if (call == null) {
                return;
            }
            if (call.contextId() != null) {
                contextIds.add(call.contextId());
            }
            if (call.taskId() != null) {
                taskIds.add(call.taskId());
            }
            taskIds.addAll(call.referenceTaskIds());
            return;
        }
        for (McpMessage message : exchange.messages()) {
            if (message instanceof McpMessage.OtherRequest request && McpMethods.isTaskRequest(request.method()) && request.params() != null) {
                JsonNode taskId = request.params().get("taskId");
                // Any other shape is refused by the ownership stage (invalid_params) and needs no lookup.
                if (taskId != null && taskId.isTextual() && !taskId.textValue().isEmpty()) {
                    taskIds.add(taskId.textValue());
                }
            }
        }
    }

    private void refuse(Exchange exchange, String detail) {
        if (exchange.a2a() != null) {
            A2aErrors.respond(exchange, errors, RejectReason.TASK_STORE_UNAVAILABLE, detail);
            return;
        }
        exchange.errorType(RejectReason.TASK_STORE_UNAVAILABLE.code());
        JsonNode id = exchange.messages().size() == 1 && exchange.messages().get(0) instanceof McpMessage.OtherRequest request
                ? request.id().value() : null;
        errors.respond(exchange.response(), RejectReason.TASK_STORE_UNAVAILABLE, id, detail);
    }
}
