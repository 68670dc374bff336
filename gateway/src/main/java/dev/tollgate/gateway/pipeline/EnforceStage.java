package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import io.vertx.core.Future;

/** Answers a request policy denied (its span already carries the decision); the upstream sees nothing. */
public final class EnforceStage implements Stage {

    private final ErrorResponder errors;

    public EnforceStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "enforce";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (!exchange.isDenied()) {
            return StageResult.proceed();
        }
        exchange.errorType(exchange.denialReason().code());
        int status = exchange.denialStatus() == 0 ? exchange.denialReason().httpStatus() : exchange.denialStatus();
        errors.respondWith(exchange.response(), exchange.denialReason(), status, exchange.denialBody());
        return StageResult.responded();
    }
}
