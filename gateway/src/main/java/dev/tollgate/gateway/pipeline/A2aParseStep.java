package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.http.BufferBytes;
import dev.tollgate.protocols.a2a.A2aCall;
import dev.tollgate.protocols.a2a.A2aPaths;
import dev.tollgate.protocols.a2a.A2aCalls;
import dev.tollgate.protocols.a2a.A2aHeaderMismatch;
import dev.tollgate.protocols.a2a.A2aHeaders;
import dev.tollgate.protocols.a2a.A2aInvalidRequest;
import dev.tollgate.protocols.a2a.A2aMethod;
import dev.tollgate.protocols.a2a.A2aQuery;
import dev.tollgate.protocols.a2a.A2aTarget;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import io.vertx.core.Future;
import java.util.List;

/**
 * The parse stage on an A2A route: reads the body as strict JSON (the same duplicate-key, depth and UTF-8
 * rules as MCP), and turns a JSON-RPC request or an HTTP+JSON operation into one {@link A2aCall}. A2A has
 * no batches and no client notifications, so anything but one request with an id is refused, as is a
 * method A2A does not define: neither is forwarded. The public agent card has no body and no call.
 */
final class A2aParseStep {

    private final ErrorResponder errors;

    A2aParseStep(ErrorResponder errors) {
        this.errors = errors;
    }

    Future<StageResult> apply(Exchange exchange) {
        A2aExchange a2a = exchange.a2a();
        if (a2a.target() instanceof A2aTarget.AgentCard) {
            return StageResult.proceed();
        }
        if (a2a.target() instanceof A2aTarget.Rest rest) {
            return rest(exchange, a2a, rest);
        }
        return jsonRpc(exchange, a2a);
    }

    private Future<StageResult> rest(Exchange exchange, A2aExchange a2a, A2aTarget.Rest rest) {
        JsonNode body = null;
        if (exchange.body() != null && exchange.body().length() > 0) {
            try {
                body = exchange.snapshot().jsonRpc().json().parse(BufferBytes.readOnly(exchange.body()));
            } catch (JsonRejection e) {
                return reject(exchange, RejectReason.fromCode(e.reason().code()), e.getMessage());
            }
        }
        if (body != null && body.isObject() && (body.has("jsonrpc") || body.has("method"))) {
            // The path names one operation and the body another: an agent serving both bindings at this path
            // could run the body's method while the gateway decided the path's.
            return reject(exchange, RejectReason.INVALID_PARAMS, "a JSON-RPC message sent to the HTTP+JSON path "
                    + A2aRoutes.remainder(exchange) + "; send JSON-RPC to the agent's JSON-RPC endpoint");
        }
        if (rest.legacy() && !A2aHeaders.routesAsLegacy(versionHeader(exchange))) {
            // The agent's 1.0 routes would take it, as a call in tenant v1, while the gateway read a 0.3 one (review N).
            return reject(exchange, RejectReason.HEADER_MISMATCH, "A2A-Version " + versionHeader(exchange)
                    + " sends a /v1/ path (A2A 0.3's) to the agent's 1.0 API; send 0.3 calls without it or with 0.3, 1.0 calls on 1.0 paths");
        }
        if (rest.method() == A2aMethod.LIST_TASKS && (body == null || body.isMissingNode())) {
            try {
                body = A2aQuery.listTasksParams(exchange.request().query());
            } catch (A2aInvalidRequest e) {
                return reject(exchange, RejectReason.INVALID_PARAMS, e.getMessage());
            }
        }
        String wire = exchange.request().method().name() + " " + A2aRoutes.remainder(exchange);
        try {
            A2aCall call = A2aCalls.describe(rest.method(), wire, A2aCall.Binding.HTTP_JSON, rest.legacy(), body,
                    rest.taskId(), rest.configId(), extensionsHeader(exchange))
                    .withPathTenant(A2aPaths.tenantCandidate(A2aRoutes.remainder(exchange), rest, exchange.route().route().config().a2a().restBase()));
            exchange.a2a(a2a.parsed(call, null));
            return StageResult.proceed();
        } catch (A2aInvalidRequest e) {
            return reject(exchange, RejectReason.INVALID_PARAMS, e.getMessage());
        } catch (A2aHeaderMismatch e) {
            return reject(exchange, RejectReason.HEADER_MISMATCH, e.getMessage());
        }
    }

    /** The A2A-Version header as Node hands it to the agent: a repeated header's lines joined by ", ". */
    private static String versionHeader(Exchange exchange) {
        List<String> lines = exchange.request().headers().getAll(A2aHeaders.VERSION);
        return lines.isEmpty() ? null : String.join(", ", lines);
    }

    private Future<StageResult> jsonRpc(Exchange exchange, A2aExchange a2a) {
        JsonRpcPayload payload;
        try {
            payload = exchange.snapshot().jsonRpc().parse(BufferBytes.readOnly(exchange.body()));
        } catch (JsonRpcRejection rejection) {
            exchange.a2a(a2a.parsed(null, rejection.id()));
            return reject(exchange, RejectReason.fromCode(rejection.reason()), rejection.getMessage());
        }
        if (!(payload instanceof JsonRpcPayload.Single single) || !(single.message() instanceof JsonRpcRequest request)) {
            return reject(exchange, RejectReason.A2A_NOT_A_REQUEST, null);
        }
        JsonNode id = request.id().value();
        exchange.a2a(a2a.parsed(null, id));
        A2aMethod method = A2aMethod.fromJsonRpc(request.method());
        if (method == null) {
            return reject(exchange, RejectReason.A2A_UNKNOWN_METHOD, "'" + request.method() + "' is not an A2A 1.0 or 0.3 method");
        }
        try {
            A2aCall call = A2aCalls.describe(method, request.method(), A2aCall.Binding.JSONRPC, method.isLegacyName(request.method()),
                    request.params(), null, null, extensionsHeader(exchange));
            exchange.parsed(payload, List.of());
            exchange.a2a(a2a.parsed(call, id));
            return StageResult.proceed();
        } catch (A2aInvalidRequest e) {
            return reject(exchange, RejectReason.INVALID_PARAMS, e.getMessage());
        } catch (A2aHeaderMismatch e) {
            return reject(exchange, RejectReason.HEADER_MISMATCH, e.getMessage());
        }
    }

    private Future<StageResult> reject(Exchange exchange, RejectReason reason, String detail) {
        A2aErrors.respond(exchange, errors, reason, detail);
        return StageResult.responded();
    }

    /** Every line of both extension headers, which must agree (see {@link A2aHeaders#requestedExtensions}); null when neither is sent. */
    private static String extensionsHeader(Exchange exchange) throws A2aHeaderMismatch {
        List<String> current = exchange.request().headers().getAll(A2aHeaders.EXTENSIONS);
        List<String> legacy = exchange.request().headers().getAll(A2aHeaders.LEGACY_EXTENSIONS);
        if (current.isEmpty() && legacy.isEmpty()) {
            return null;
        }
        return String.join(",", A2aHeaders.requestedExtensions(current, legacy));
    }
}
