package dev.tollgate.policy;

import java.util.Objects;

/**
 * The outcome of evaluating a call. Instances are created once per rule at compile time and returned as
 * they are, so an evaluation allocates no decision.
 *
 * @param ruleName   the deciding rule, or null when the document's default decided
 * @param policyName the deciding document, or null when no policy was loaded at all
 * @param failure    NONE when the rule's condition was evaluated; otherwise why it could not be and the call
 *                   was denied fail-closed, so the gateway can answer each cause with its own reason
 * @param approval   for {@link Action#APPROVE}: how long the call is held and what its timeout decides; null otherwise
 */
public record Decision(Action action, String ruleName, String message, String policyName, Mode mode, Failure failure,
                       ApprovalTerms approval) {

    /** Why a condition could not be evaluated (its rule then denies, fail closed). */
    public enum Failure {
        /** The condition was evaluated: the decision is the rule's (or the default's) own. */
        NONE,
        /** The condition threw (a custom check failing, a stack overflow): generic fail-closed deny. */
        CONDITION_ERROR,
        /** A value was longer than a regular expression may scan ({@link RegexInputTooLongException}). */
        REGEX_INPUT_TOO_LONG,
        /** A backtracking regular expression ran out of steps ({@link RegexStepBudgetException}). */
        REGEX_STEP_BUDGET,
        /** A value decided one way exactly and the other as a double ({@link NumberReadingsDisagreeException}). */
        NUMBER_READINGS_DISAGREE
    }

    public Decision {
        Objects.requireNonNull(failure, "failure");
        if (action == Action.APPROVE && approval == null) {
            approval = ApprovalTerms.DEFAULT;
        }
    }

    public Decision(Action action, String ruleName, String message, String policyName, Mode mode, Failure failure) {
        this(action, ruleName, message, policyName, mode, failure, null);
    }

    /** A decision made by evaluating the rule (no failure). */
    public Decision(Action action, String ruleName, String message, String policyName, Mode mode) {
        this(action, ruleName, message, policyName, mode, Failure.NONE, null);
    }

    /** True when the call may proceed now: ALLOW, AUDIT, or anything at all in shadow mode (APPROVE waits for a person). */
    public boolean allowsCall() {
        return action == Action.ALLOW || action == Action.AUDIT || mode == Mode.SHADOW;
    }

    public boolean isDenied() {
        return action == Action.DENY;
    }

    /**
     * The call must not reach the upstream as decided: a deny, or an approval nobody has given. Only the gateway's
     * approval hold turns the latter into a forwarded call; every other path (batches, server-to-client requests)
     * refuses it, failing closed.
     */
    public boolean enforcedDeny() {
        return (action == Action.DENY || action == Action.APPROVE) && mode == Mode.ENFORCE;
    }

    /** The call is to be held until a person approves or denies it. */
    public boolean requiresApproval() {
        return action == Action.APPROVE && mode == Mode.ENFORCE;
    }
}
