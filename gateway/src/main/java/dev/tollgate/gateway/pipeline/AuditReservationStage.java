package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import io.vertx.core.Future;

/**
 * With {@code audit.when-full: reject}, reserves room in the audit queue for every record the call can
 * produce (one per JSON-RPC message; one for an A2A call) before anything is decided or forwarded, and
 * refuses the call (503 audit_unavailable) when they do not all fit. Runs right after parsing, the first
 * point the count is known: a 30,000-element batch passes the early capacity check alone, and without the
 * reservation most of its records would be dropped. The completion recorder queues the records on the
 * reservation and gives back what was not used. With {@code drop} or without an audit log, does nothing.
 */
public final class AuditReservationStage implements Stage {

    private final AuditLog audit;
    private final ErrorResponder errors;

    /** @param audit the audit log, or null when auditing is off */
    public AuditReservationStage(AuditLog audit, ErrorResponder errors) {
        this.audit = audit;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "audit-reservation";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (audit == null || audit.config().whenFull() != AuditConfig.WhenFull.REJECT) {
            return StageResult.proceed();
        }
        int records = exchange.a2a() != null ? 1 : exchange.messages().size();
        if (!audit.tryReserve(records)) {
            errors.respond(exchange.response(), RejectReason.AUDIT_UNAVAILABLE, null,
                    "audit queue has no room for this call's " + records + " record(s) (" + audit.queued() + " queued)");
            return StageResult.responded();
        }
        exchange.auditReserved(records);
        return StageResult.proceed();
    }
}
