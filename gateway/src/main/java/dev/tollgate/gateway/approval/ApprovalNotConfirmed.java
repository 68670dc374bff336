package dev.tollgate.gateway.approval;

/**
 * A person's decision (or a client's answer) that Redis did not confirm within {@code redis.timeout}. A timed-out
 * command is not cancelled: Redis may still run it. So the gateway reads the approval back, and only says what it
 * knows: {@link NotRecorded} when Redis confirmed that the decision was not and never will be recorded,
 * {@link OutcomeUnknown} when that read failed too.
 */
public abstract sealed class ApprovalNotConfirmed extends RuntimeException permits ApprovalNotConfirmed.NotRecorded, ApprovalNotConfirmed.OutcomeUnknown {

    /** What a client whose answer failed is told: send it again is safe either way (an answer taken is not taken twice). */
    public static String clientDetail(Throwable failure) {
        return failure instanceof NotRecorded ? "the answer was not recorded; send it again"
                : "whether the answer was recorded is unknown (Redis did not answer in time); send it again";
    }

    private ApprovalNotConfirmed(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** Redis has voided this attempt: it did not and will not take effect, so sending it again is safe. */
    public static final class NotRecorded extends ApprovalNotConfirmed {
        NotRecorded() {
            super("not recorded: Redis did not answer within redis.timeout, and has since confirmed nothing was decided", null);
        }
    }

    /**
     * Neither the decision nor the read back was answered in time. The decision carries a deadline (its send time plus
     * {@code redis.timeout}): Redis drops it when it runs it later, so it took effect only if Redis ran it in time.
     */
    public static final class OutcomeUnknown extends ApprovalNotConfirmed {
        OutcomeUnknown(Throwable cause) {
            super("outcome unknown: Redis did not answer within redis.timeout (" + cause.getMessage() + ")", cause);
        }
    }
}
