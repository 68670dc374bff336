package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import io.vertx.core.Future;
import java.time.Instant;

/**
 * A {@code tasks/list} page is asked for with the cursor the gateway handed the caller (McpResponseFilter seals the
 * upstream's {@code nextCursor} to the caller, see {@link SealedSessions#sealCursor}): the upstream gets its own cursor
 * back, in a body the gateway writes ({@link RewrittenRequest}: {@code jsonrpc}, {@code id}, {@code method}, {@code params} with the cursor
 * replaced; to the instance that listed the page). Any other cursor (made up, another
 * caller's, another route's, expired) is refused 400 {@code invalid_params} and nothing is forwarded: the upstream's cursor
 * is a task id in the TypeScript SDK's store, so forwarding a made-up one tells the caller whether that task exists. A
 * cursor in a batch is refused the same way (batches predate tasks: MCP 2025-06-18 removed them).
 */
final class TaskListCursorStage implements Stage {

    private static final String CLIENT_DETAIL = "params.cursor is not a cursor this gateway handed you: start the listing again without one";

    private final ErrorResponder errors;

    TaskListCursorStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "task-list-cursor";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        JsonRpcPayload payload = exchange.payload();
        if (payload == null) {
            return StageResult.proceed();
        }
        for (JsonRpcMessage message : payload.messages()) {
            JsonNode cursor = cursorOf(message);
            if (cursor == null) {
                continue;
            }
            JsonRpcRequest request = (JsonRpcRequest) message;
            SealedSessions.Opened opened = !cursor.isTextual() || payload instanceof JsonRpcPayload.Batch ? null
                    : exchange.snapshot().sessions().openCursor(exchange.route().route().name(), exchange.identity(), cursor.textValue(), Instant.now());
            if (!(opened instanceof SealedSessions.Valid valid) || !SessionStage.holdsInstance(exchange, valid.instance())) {
                exchange.errorType(RejectReason.INVALID_PARAMS.code());
                errors.respond(exchange.response(), RejectReason.INVALID_PARAMS, payload instanceof JsonRpcPayload.Single ? request.id().value() : null,
                        CLIENT_DETAIL);
                return StageResult.responded();
            }
            exchange.forwardWithParam(request, "cursor", valid.upstreamId());
            exchange.forwardsUnsealedCursor();
            if (valid.instance() != null && exchange.pinnedUpstream() == null) {
                exchange.pinnedUpstream(valid.instance());
            }
        }
        return StageResult.proceed();
    }

    /** The cursor a {@code tasks/list} request names; null for any other message, or one without a cursor. */
    private static JsonNode cursorOf(JsonRpcMessage message) {
        if (message instanceof JsonRpcRequest request && McpMethods.TASKS_LIST.equals(request.method()) && request.params() != null
                && request.params().isObject()) {
            JsonNode cursor = request.params().get("cursor");
            return cursor == null || cursor.isNull() ? null : cursor;
        }
        return null;
    }
}
