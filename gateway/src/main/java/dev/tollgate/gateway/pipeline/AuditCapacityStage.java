package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import io.vertx.core.Future;

/**
 * With {@code audit.when-full: reject}, refuses new calls (503 audit_unavailable) while the audit writer's
 * queue is full or its writes are failing, so no decision goes unrecorded. With {@code drop}, calls proceed
 * and overflow is counted. A cheap early check, before the body is read; whether all of a call's records fit
 * is checked once its messages are known ({@link AuditAdmissionStage}).
 */
public final class AuditCapacityStage implements Stage {

    private final AuditLog audit;
    private final ErrorResponder errors;

    public AuditCapacityStage(AuditLog audit, ErrorResponder errors) {
        this.audit = audit;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "audit-capacity";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (audit.config().whenFull() != AuditConfig.WhenFull.REJECT) {
            return StageResult.proceed();
        }
        if (!audit.healthy()) {
            exchange.errorType(RejectReason.AUDIT_UNAVAILABLE.code());
            errors.respond(exchange.response(), RejectReason.AUDIT_UNAVAILABLE, null, "audit writes are failing");
            return StageResult.responded();
        }
        if (audit.isFull()) {
            exchange.errorType(RejectReason.AUDIT_UNAVAILABLE.code());
            errors.respond(exchange.response(), RejectReason.AUDIT_UNAVAILABLE, null, "audit queue full (" + audit.queued() + " records)");
            return StageResult.responded();
        }
        return StageResult.proceed();
    }
}
