package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.identity.AxidCache;
import dev.tollgate.gateway.identity.AxidException;
import io.vertx.core.Future;

/**
 * Establishes which run took this action: verifies the {@code X-Waxell-AXID} token per the route's mode
 * and puts its claims on the exchange for policy, spans and audit. A missing (when required) or invalid
 * token gets 401 with a JSON-RPC error, a {@code WWW-Authenticate} challenge and a stable reason; nothing
 * is forwarded. Verification is CPU only and cached per token until it expires.
 */
public final class IdentityStage implements Stage {

    private final ErrorResponder errors;

    public IdentityStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "identity";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        AxidMode mode = exchange.route().route().config().axid();
        if (mode == AxidMode.OFF) {
            return StageResult.proceed();
        }
        String token = exchange.request().getHeader(AxidConfig.HEADER);
        AxidCache axid = exchange.snapshot().axid();
        if (token == null || token.isEmpty()) {
            return mode == AxidMode.REQUIRED ? reject(exchange, RejectReason.AXID_MISSING, null) : StageResult.proceed();
        }
        if (axid == null) {
            // The route wants tokens but this snapshot cannot verify any: fail closed.
            return reject(exchange, RejectReason.AXID_UNKNOWN_KEY, "no AXID keys are configured");
        }
        try {
            exchange.identity(axid.verify(token.trim()).identity());
            return StageResult.proceed();
        } catch (AxidException e) {
            return reject(exchange, e.reason(), e.getMessage());
        }
    }

    private Future<StageResult> reject(Exchange exchange, RejectReason reason, String detail) {
        exchange.response().putHeader("WWW-Authenticate",
                "AXID header=\"" + AxidConfig.HEADER + "\", error=\"invalid_token\", error_description=\"" + reason.code() + "\"");
        exchange.errorType(reason.code());
        errors.respond(exchange.response(), reason, null, detail);
        return StageResult.responded();
    }
}
