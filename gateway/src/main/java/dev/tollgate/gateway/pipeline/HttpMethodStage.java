package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.protocols.a2a.A2aPaths;
import dev.tollgate.protocols.a2a.A2aTarget;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/**
 * MCP Streamable HTTP uses POST (client messages), GET (standalone server stream) and DELETE (end the
 * session); anything else is answered 405 here rather than reaching the upstream. On an A2A route the verb
 * and path together name the operation, so the path is classified here, before any body is read: an
 * unknown operation or a wrong verb never reaches the upstream.
 */
public final class HttpMethodStage implements Stage {

    private static final String ALLOW = "GET, POST, DELETE";

    private final ErrorResponder errors;

    public HttpMethodStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "http-method";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        HttpMethod method = exchange.request().method();
        if (exchange.route().route().config().protocol() == Protocol.A2A) {
            return a2a(exchange, method);
        }
        if (method == HttpMethod.POST || method == HttpMethod.GET || method == HttpMethod.DELETE) {
            return StageResult.proceed();
        }
        exchange.response().putHeader("Allow", ALLOW);
        exchange.errorType(RejectReason.METHOD_NOT_ALLOWED.code());
        errors.respond(exchange.response(), RejectReason.METHOD_NOT_ALLOWED, null, method.name() + " is not allowed; use " + ALLOW);
        return StageResult.responded();
    }

    private Future<StageResult> a2a(Exchange exchange, HttpMethod method) {
        String remainder = A2aRoutes.remainder(exchange);
        A2aTarget target = A2aPaths.classify(method.name(), remainder);
        exchange.a2a(A2aExchange.of(target));
        if (!(target instanceof A2aTarget.Invalid invalid)) {
            return StageResult.proceed();
        }
        if (invalid.allow() != null) {
            exchange.response().putHeader("Allow", invalid.allow());
            A2aErrors.respond(exchange, errors, RejectReason.METHOD_NOT_ALLOWED, invalid.detail());
        } else {
            A2aErrors.respond(exchange, errors, RejectReason.A2A_UNKNOWN_OPERATION, invalid.detail());
        }
        return StageResult.responded();
    }
}
