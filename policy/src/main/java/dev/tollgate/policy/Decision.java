package dev.tollgate.policy;

/**
 * The outcome of evaluating a call. Instances are created once per rule at compile time and returned as
 * they are, so an evaluation allocates no decision.
 *
 * @param ruleName   the deciding rule, or null when the document's default decided
 * @param policyName the deciding document, or null when no policy was loaded at all
 */
public record Decision(Action action, String ruleName, String message, String policyName, Mode mode) {

    /** True when the call may proceed: ALLOW, AUDIT, or anything at all in shadow mode. */
    public boolean allowsCall() {
        return action != Action.DENY || mode == Mode.SHADOW;
    }

    public boolean isDenied() {
        return action == Action.DENY;
    }

    /** A deny that is applied: the call must not reach the upstream. */
    public boolean enforcedDeny() {
        return action == Action.DENY && mode == Mode.ENFORCE;
    }
}
