package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import dev.tollgate.protocols.mcp.McpClassifier;
import dev.tollgate.protocols.mcp.McpHeaders;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.protocols.mcp.McpProtocolVersions;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the buffered body as strict JSON-RPC (duplicate keys, deep nesting and bad UTF-8 refused, so
 * the gateway and the upstream can never read different values) and classifies each MCP message.
 * The original bytes are what is forwarded; the parsed form is only read.
 */
public final class ParseJsonRpcStage implements Stage {

    private final ErrorResponder errors;
    private final A2aParseStep a2a;

    public ParseJsonRpcStage(ErrorResponder errors) {
        this.errors = errors;
        this.a2a = new A2aParseStep(errors);
    }

    @Override
    public String name() {
        return "parse-jsonrpc";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.a2a() != null) {
            // A2A routes: the verb stage classified the path; GETs and DELETEs are calls too (HTTP+JSON).
            return a2a.apply(exchange);
        }
        if (exchange.request().method() != HttpMethod.POST) {
            return StageResult.proceed();
        }
        try {
            JsonRpcPayload payload = exchange.snapshot().jsonRpc().parse(exchange.body().getBytes());
            if (payload instanceof JsonRpcPayload.Batch
                    && !McpProtocolVersions.supportsBatching(exchange.request().getHeader(McpHeaders.PROTOCOL_VERSION))) {
                errors.respond(exchange.response(), RejectReason.BATCH_NOT_SUPPORTED, null,
                        "MCP-Protocol-Version " + exchange.request().getHeader(McpHeaders.PROTOCOL_VERSION) + " does not allow batches");
                return StageResult.responded();
            }
            int maxBatch = exchange.snapshot().config().limits().maxBatchMessages();
            if (payload.messages().size() > maxBatch) {
                // Each element is decided, forwarded and audited on its own: the cap bounds what one request can cost.
                errors.respond(exchange.response(), RejectReason.BATCH_TOO_LARGE, null,
                        "batch of " + payload.messages().size() + " messages; limits.max-batch-messages is " + maxBatch);
                return StageResult.responded();
            }
            List<McpMessage> messages = new ArrayList<>(payload.messages().size());
            for (JsonRpcMessage message : payload.messages()) {
                messages.add(McpClassifier.classifyClientMessage(message));
            }
            exchange.parsed(payload, messages);
            return StageResult.proceed();
        } catch (JsonRpcRejection rejection) {
            errors.respond(exchange.response(), RejectReason.fromCode(rejection.reason()), rejection.id(), rejection.getMessage());
            return StageResult.responded();
        }
    }
}
