package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import java.util.Set;

/**
 * A compiled, immutable rule condition. {@link #matches} is the hot path: no I/O, no allocation-heavy
 * work. It may throw on malformed input; the evaluator then treats the rule as a matching deny.
 */
public interface Condition {

    boolean matches(PolicyRequest request);

    /** Null when the condition holds; otherwise a short reason it does not (for {@code explain}). */
    String mismatch(PolicyRequest request);

    /**
     * Whether the condition holds for a call of which only the target and the caller are known (arguments,
     * time and custom checks are UNKNOWN). Used to hide tools from {@code tools/list} that can never be called.
     */
    Truth staticTruth(CallDescription call, Identity identity);

    /**
     * The exact tool names this condition requires, when it requires one of a fixed set (used to index
     * rules by tool); null when it does not restrict the tool to literals.
     */
    default Set<String> requiredToolNames() {
        return null;
    }

    /**
     * Whether evaluating it may note an obligation the gateway secures after the decision (a rate-limit token, a budget
     * hold): a check, or a composite holding one. {@link AllOf} evaluates such members last.
     */
    default boolean notesObligations() {
        return false;
    }

    /**
     * Adds the names of the caller's claims this condition may read ({@link Identity#claim}), so the audit record can keep
     * them and a replay decide as the gateway did. Nothing for a condition that reads no claim.
     */
    default void addClaimsRead(Set<String> names) {
    }

    /**
     * Adds the JSON pointers into the call's arguments this condition may read ({@code ""} for the arguments whole), so a
     * replay can tell a record whose redacted member ({@code telemetry.redact}) a rule reads: decided on {@code [REDACTED]},
     * not the value. Nothing for a condition that reads no argument.
     */
    default void addArgumentsRead(Set<String> pointers) {
    }
}
