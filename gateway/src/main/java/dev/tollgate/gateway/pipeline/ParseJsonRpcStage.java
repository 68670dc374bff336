package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.http.BufferBytes;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpClassifier;
import dev.tollgate.protocols.mcp.McpHeaders;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.protocols.mcp.McpProtocolVersions;
import dev.tollgate.protocols.mcp.McpRoutingHeaders;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Parses the buffered body as strict JSON-RPC (duplicate keys, deep nesting and bad UTF-8 refused, so
 * the gateway and the upstream can never read different values) and classifies each MCP message.
 * The original bytes are what is forwarded; the parsed form is only read.
 */
public final class ParseJsonRpcStage implements Stage {

    private final ErrorResponder errors;
    private final ToolParamHeaders paramHeaders;
    private final A2aParseStep a2a;

    public ParseJsonRpcStage(ErrorResponder errors, ToolParamHeaders paramHeaders) {
        this.errors = errors;
        this.paramHeaders = paramHeaders;
        this.a2a = new A2aParseStep(errors);
    }

    /**
     * Why the MCP 2026-07-28 routing headers disagree with the body (an intermediary acting on the headers
     * would act on another call than the one decided), or null. A batch has no one method or name to
     * mirror.
     */
    private static String routingHeaderProblem(Exchange exchange, JsonRpcPayload payload, ToolParamHeaders paramHeaders) {
        var headers = exchange.request().headers();
        if (payload instanceof JsonRpcPayload.Single single) {
            String problem = McpRoutingHeaders.mismatch(single.message(), headers::getAll);
            return problem != null ? problem
                    : paramHeaders.mismatch(exchange.route().route().name(), single.message(), namesAsSent(headers), headers::getAll);
        }
        if (headers.contains(McpRoutingHeaders.MCP_METHOD) || headers.contains(McpRoutingHeaders.MCP_NAME)
                || anyParamHeader(headers)) {
            return "a batch carries Mcp-Method, Mcp-Name or Mcp-Param-* headers, which describe one message";
        }
        return null;
    }

    /**
     * The header names as the lines arrived, a repeated name once per line. {@code MultiMap.names()} would build a
     * case-folded sorted set on every call; a repeated {@code Mcp-Param-*} name is still caught, by its lookup
     * finding more than one value.
     */
    private static Iterable<String> namesAsSent(MultiMap headers) {
        return () -> new Iterator<>() {
            private final Iterator<Map.Entry<String, String>> lines = headers.iterator();

            @Override
            public boolean hasNext() {
                return lines.hasNext();
            }

            @Override
            public String next() {
                return lines.next().getKey();
            }
        };
    }

    private static boolean anyParamHeader(MultiMap headers) {
        for (String name : namesAsSent(headers)) {
            if (name.regionMatches(true, 0, "Mcp-Param-", 0, "Mcp-Param-".length())) {
                return true;
            }
        }
        return false;
    }

    /** The method of a notification that is not an MCP notification ({@code notifications/*}), or null. */
    private static String requestSentAsNotification(JsonRpcPayload payload) {
        for (JsonRpcMessage message : payload.messages()) {
            if (message instanceof JsonRpcNotification notification && !notification.method().startsWith("notifications/")) {
                return notification.method();
            }
        }
        return null;
    }

    private static JsonNode singleId(JsonRpcPayload payload) {
        return payload instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request
                ? request.id().value() : null;
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
            JsonRpcPayload payload = exchange.snapshot().jsonRpc().parse(BufferBytes.readOnly(exchange.body()));
            if (payload instanceof JsonRpcPayload.Batch
                    && !McpProtocolVersions.supportsBatching(exchange.request().getHeader(McpHeaders.PROTOCOL_VERSION))) {
                exchange.errorType(RejectReason.BATCH_NOT_SUPPORTED.code());
                errors.respond(exchange.response(), RejectReason.BATCH_NOT_SUPPORTED, null,
                        "MCP-Protocol-Version " + exchange.request().getHeader(McpHeaders.PROTOCOL_VERSION) + " does not allow batches");
                return StageResult.responded();
            }
            int maxBatch = exchange.snapshot().config().limits().maxBatchMessages();
            if (payload.messages().size() > maxBatch) {
                // Each element is decided, forwarded and audited on its own: the cap bounds what one request can cost.
                exchange.errorType(RejectReason.BATCH_TOO_LARGE.code());
                errors.respond(exchange.response(), RejectReason.BATCH_TOO_LARGE, null,
                        "batch of " + payload.messages().size() + " messages; limits.max-batch-messages is " + maxBatch);
                return StageResult.responded();
            }
            if (payload instanceof JsonRpcPayload.Batch && payload.messages().stream().anyMatch(m -> McpRoutingHeaders.envelopeVersion(m) != null)) {
                exchange.errorType(RejectReason.BATCH_NOT_SUPPORTED.code());
                errors.respond(exchange.response(), RejectReason.BATCH_NOT_SUPPORTED, null,
                        "a batch holds a message with the MCP 2026-07-28 envelope; that revision has no batches");
                return StageResult.responded();
            }
            String headerProblem = routingHeaderProblem(exchange, payload, paramHeaders);
            if (headerProblem != null) {
                exchange.errorType(RejectReason.HEADER_MISMATCH.code());
                errors.respond(exchange.response(), RejectReason.HEADER_MISMATCH, singleId(payload), headerProblem);
                return StageResult.responded();
            }
            String notified = requestSentAsNotification(payload);
            if (notified != null) {
                // Policy decides requests; a tools/call without an id would pass undecided, yet servers run it.
                exchange.errorType(RejectReason.REQUEST_AS_NOTIFICATION.code());
                errors.respond(exchange.response(), RejectReason.REQUEST_AS_NOTIFICATION, null,
                        "method " + (notified.length() > 64 ? notified.substring(0, 64) + "..." : notified) + " sent without an id: MCP notifications are named notifications/*");
                return StageResult.responded();
            }
            List<McpMessage> messages = new ArrayList<>(payload.messages().size());
            for (JsonRpcMessage message : payload.messages()) {
                messages.add(McpClassifier.classifyClientMessage(message));
            }
            exchange.parsed(payload, messages);
            exchange.mcpRevision(McpProtocolVersions.spokenBy(payload.messages().get(0), exchange.request().getHeader(McpHeaders.PROTOCOL_VERSION)));
            return StageResult.proceed();
        } catch (JsonRpcRejection rejection) {
            exchange.errorType(RejectReason.fromCode(rejection.reason()).code());
            errors.respond(exchange.response(), RejectReason.fromCode(rejection.reason()), rejection.id(), rejection.getMessage());
            return StageResult.responded();
        }
    }
}
