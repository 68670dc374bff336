package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.http.HostOriginGuard;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;

/** Rejects requests whose Host or Origin is not allowed on the listener (DNS-rebinding protection). */
public final class HostOriginStage implements Stage {

    private final ErrorResponder errors;

    public HostOriginStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "host-origin";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        String host = exchange.request().authority() == null ? null : exchange.request().authority().toString();
        String origin = exchange.request().getHeader(HttpHeaders.ORIGIN);
        HostOriginGuard.Verdict verdict = exchange.listener().guard().check(host, origin);
        return switch (verdict) {
            case ALLOWED -> StageResult.proceed();
            case FORBIDDEN_HOST -> reject(exchange, RejectReason.FORBIDDEN_HOST);
            case FORBIDDEN_ORIGIN -> reject(exchange, RejectReason.FORBIDDEN_ORIGIN);
        };
    }

    private Future<StageResult> reject(Exchange exchange, RejectReason reason) {
        errors.respond(exchange.response(), reason, null, null);
        return StageResult.responded();
    }
}
