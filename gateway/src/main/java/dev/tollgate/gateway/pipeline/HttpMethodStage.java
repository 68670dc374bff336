package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/**
 * MCP Streamable HTTP uses POST (client messages), GET (standalone server stream) and DELETE (end the
 * session); anything else is answered 405 here rather than reaching the upstream.
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
        if (method == HttpMethod.POST || method == HttpMethod.GET || method == HttpMethod.DELETE) {
            return StageResult.proceed();
        }
        exchange.response().putHeader("Allow", ALLOW);
        errors.respond(exchange.response(), RejectReason.METHOD_NOT_ALLOWED, null, method.name() + " is not allowed; use " + ALLOW);
        return StageResult.responded();
    }
}
