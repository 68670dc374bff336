package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.RegexInputTooLongException;

/** {@code claim: {name: tenant, in: [acme, beta]}}: an AXID claim passes a test. */
public record ClaimCondition(String name, ValueTest test) implements Condition {

    @Override
    public boolean matches(PolicyRequest request) {
        return holdsFor(request.identity());
    }

    @Override
    public void addClaimsRead(java.util.Set<String> names) {
        names.add(name);
    }

    private boolean holdsFor(Identity identity) {
        try {
            return test(identity.claim(name));
        } catch (RegexInputTooLongException e) {
            throw e.at("claim " + name);
        }
    }

    private boolean test(Object value) {
        // Most claims are strings: test them as they are rather than wrapping each in a JSON node per call.
        if (value == null || value instanceof String) {
            return test.testText((String) value);
        }
        return test.test(ValueTest.toJson(value));
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
