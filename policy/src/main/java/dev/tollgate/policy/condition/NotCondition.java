package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;

/** {@code not: {...}}: the condition does not hold. */
public record NotCondition(Condition inner) implements Condition {

    @Override
    public boolean notesObligations() {
        return inner.notesObligations();
    }

    @Override
    public void addClaimsRead(java.util.Set<String> names) {
        inner.addClaimsRead(names);
    }

    @Override
    public void addArgumentsRead(java.util.Set<String> pointers) {
        inner.addArgumentsRead(pointers);
    }


    @Override
    public boolean matches(PolicyRequest request) {
        return !inner.matches(request);
    }

    @Override
    public String mismatch(PolicyRequest request) {
        return inner.mismatch(request) == null ? "negated condition holds" : null;
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return inner.staticTruth(call, identity).not();
    }
}
