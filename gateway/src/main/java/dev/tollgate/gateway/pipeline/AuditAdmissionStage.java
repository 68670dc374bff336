package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import io.vertx.core.Future;

/**
 * With {@code audit.when-full: reject}, admits the call only when every record it can produce (one per JSON-RPC
 * message; one for an A2A call) fits in the audit queue right now, before anything is decided or forwarded, and
 * refuses it (503 audit_unavailable) otherwise. Runs right after parsing, the first point the count is known: a
 * 30,000-element batch passes the early capacity check alone. The completion recorder then queues the admitted
 * records whatever the queue holds by then ({@link AuditLog#queueAdmitted}). A call's first record holds no room while
 * the call runs, so calls held open (streams, approvals) do not fill an empty queue; a batch's others do. With
 * {@code drop} or without an audit log, does nothing.
 */
public final class AuditAdmissionStage implements Stage {

    private final AuditLog audit;
    private final ErrorResponder errors;

    /** @param audit the audit log, or null when auditing is off */
    public AuditAdmissionStage(AuditLog audit, ErrorResponder errors) {
        this.audit = audit;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "audit-admission";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (audit == null || audit.config().whenFull() != AuditConfig.WhenFull.REJECT) {
            return StageResult.proceed();
        }
        int records = exchange.a2a() != null ? 1 : exchange.messages().size();
        AuditLog.Admission admission = audit.admit(records);
        if (admission == null) {
            exchange.errorType(RejectReason.AUDIT_UNAVAILABLE.code());
            errors.respond(exchange.response(), RejectReason.AUDIT_UNAVAILABLE, null,
                    "audit queue has no room for this call's " + records + " record(s) (" + audit.queued() + " queued)");
            return StageResult.responded();
        }
        exchange.auditAdmission(admission);
        return StageResult.proceed();
    }
}
