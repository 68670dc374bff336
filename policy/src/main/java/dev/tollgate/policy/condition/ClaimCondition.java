package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;

/** {@code claim: {name: tenant, in: [acme, beta]}}: an AXID claim passes a test. */
public record ClaimCondition(String name, ValueTest test) implements Condition {

    @Override
    public boolean matches(PolicyRequest request) {
        return holdsFor(request.identity());
    }

    private boolean holdsFor(Identity identity) {
        return test.test(ValueTest.toJson(identity.claim(name)));
    }

    @Override
    public String mismatch(PolicyRequest request) {
        if (matches(request)) {
            return null;
        }
        Object value = request.identity().claim(name);
        return "claim " + name + " (" + (value == null ? "absent" : value) + ") fails " + test.describe();
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.of(holdsFor(identity));
    }
}
