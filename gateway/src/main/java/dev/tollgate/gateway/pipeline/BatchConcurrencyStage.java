package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.limits.ConcurrentCalls;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.mcp.McpMessage;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch (MCP before 2025-06-18) forwards every request it holds at once, so it takes one concurrency slot per
 * request: {@link ConcurrencyStage} took the first before the body was read, this stage the others once it is parsed.
 * A batch that does not fit under the route's or the caller's limit is refused whole, 429, and forwards nothing (review
 * revJ: a batch of five calls ran five at once for a caller limited to one).
 */
public final class BatchConcurrencyStage implements Stage {

    private final ConcurrentCalls calls;
    private final ErrorResponder errors;

    public BatchConcurrencyStage(ConcurrentCalls calls, ErrorResponder errors) {
        this.calls = calls;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "batch-concurrency";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (!(exchange.payload() instanceof JsonRpcPayload.Batch)) {
            return StageResult.proceed();
        }
        long requests = exchange.messages().stream().filter(BatchConcurrencyStage::isRequest).count();
        var route = exchange.route().route();
        String caller = ConcurrencyStage.callerKey(exchange);
        String tenant = ConcurrencyStage.tenantKey(exchange);
        List<ConcurrentCalls.Admitted> taken = new ArrayList<>();
        for (long more = requests - 1; more > 0; more--) {
            ConcurrentCalls.Admission admission = calls.admit(route.name(), caller, tenant, route.config().concurrency());
            if (!(admission instanceof ConcurrentCalls.Admitted admitted)) {
                taken.forEach(ConcurrentCalls.Admitted::release);
                return ConcurrencyStage.refused(exchange, admission, errors);
            }
            taken.add(admitted);
        }
        taken.forEach(admitted -> exchange.onComplete(() -> exchange.releaseSlot(admitted::release)));
        return StageResult.proceed();
    }

    private static boolean isRequest(McpMessage message) {
        return message instanceof McpMessage.ToolCall || message instanceof McpMessage.ResourceRead
                || message instanceof McpMessage.PromptGet || message instanceof McpMessage.OtherRequest;
    }
}
