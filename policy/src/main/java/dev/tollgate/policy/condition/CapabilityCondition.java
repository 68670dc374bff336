package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;

/** {@code capability: fs.write}: the caller's AXID grants this capability. */
public record CapabilityCondition(String capability) implements Condition {

    @Override
    public boolean matches(PolicyRequest request) {
        return request.identity().capabilities().contains(capability);
    }

    @Override
    public String mismatch(PolicyRequest request) {
        return matches(request) ? null : "the caller lacks capability '" + capability + "'";
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.of(identity.capabilities().contains(capability));
    }
}
