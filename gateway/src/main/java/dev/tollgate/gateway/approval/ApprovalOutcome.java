package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;

/**
 * How a held call's approval ended: who decided (the name the approver gave, or {@code tollgate} for the gateway's
 * own endings), why, and when.
 */
public record ApprovalOutcome(Verdict verdict, String by, String reason, Instant at) {

    public enum Verdict {
        /** A person approved: the call goes on. */
        APPROVED(true),
        /** A person denied. */
        DENIED(false),
        /** Nobody decided in time and the rule's on-timeout is deny. */
        TIMED_OUT_DENIED(false),
        /** Nobody decided in time and the rule's on-timeout is allow. */
        TIMED_OUT_ALLOWED(true),
        /** The client went away while its call was held: there is nothing left to approve. */
        CANCELLED(false),
        /** The gateway stopped while the call was held (a restart denies what it held). */
        GATEWAY_STOPPED(false);

        private final boolean allows;

        Verdict(boolean allows) {
            this.allows = allows;
        }

        public boolean allows() {
            return allows;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean allows() {
        return verdict.allows();
    }

    public ObjectNode toJson() {
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("outcome", verdict.label()).put("by", by);
        if (reason != null) {
            out.put("reason", reason);
        }
        return out.put("decided_at", at.toString());
    }
}
