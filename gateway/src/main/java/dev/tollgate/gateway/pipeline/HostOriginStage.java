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
            case FORBIDDEN_HOST -> reject(exchange, RejectReason.FORBIDDEN_HOST, "Host " + quoted(host) + " is not in allowed-hosts of listener "
                    + exchange.listener().config().name() + "; add it there (DNS-rebinding protection: only names this gateway is reached by)");
            case FORBIDDEN_ORIGIN -> reject(exchange, RejectReason.FORBIDDEN_ORIGIN, "Origin " + quoted(origin)
                    + " is not in allowed-origins of listener " + exchange.listener().config().name() + "; add it there if browsers on that origin may call");
        };
    }

    private Future<StageResult> reject(Exchange exchange, RejectReason reason, String detail) {
        exchange.errorType(reason.code());
        errors.respond(exchange.response(), reason, null, detail);
        return StageResult.responded();
    }

    /** The client's value, cut short: it is named so the operator can allow it, never echoed at length. */
    private static String quoted(String value) {
        if (value == null) {
            return "(none)";
        }
        return "'" + (value.length() > 100 ? value.substring(0, 100) + "..." : value) + "'";
    }
}
