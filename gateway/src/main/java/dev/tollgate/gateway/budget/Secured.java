package dev.tollgate.gateway.budget;

/** The outcome of securing a call's obligations: a charge to settle later, or the rule that refused it. */
public sealed interface Secured {

    /** @param charge null when the call is not charged (no tree, accounting off) */
    record Granted(CallCharge charge) implements Secured {
    }

    record Refused(String rule, String message) implements Secured {
    }
}
