package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CompiledCheck;

/** {@code check: {name: ..., args: {...}}}: a custom check registered in code holds. */
public record CheckCondition(String name, CompiledCheck check) implements Condition {

    /** Every check, conservatively: rate limits and budgets note obligations, and detectors cost most, so run last anyway. */
    @Override
    public boolean notesObligations() {
        return true;
    }

    /** A rate limit or a budget reads no argument; any other check (a detector, argument size, a custom one) may read them all. */
    @Override
    public void addArgumentsRead(java.util.Set<String> pointers) {
        if (!dev.tollgate.policy.check.RateLimitCheck.NAME.equals(name) && !dev.tollgate.policy.check.BudgetCheck.NAME.equals(name)) {
            pointers.add("");
        }
    }

    @Override
    public boolean matches(PolicyRequest request) {
        return check.test(request);
    }

    @Override
    public String mismatch(PolicyRequest request) {
        return matches(request) ? null : "check " + name + " does not hold";
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.UNKNOWN;
    }
}
