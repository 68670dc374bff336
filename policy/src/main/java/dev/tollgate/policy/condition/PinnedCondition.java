package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;

/**
 * {@code pinned: true}: the call's tool is pinned (its definition is the one reviewed into the route's manifest);
 * {@code pinned: false}: it is not (changed, new, or the route pins nothing). Known only from the gateway's state at
 * the time of the call, so it never decides statically whether a tool is listed.
 */
public record PinnedCondition(boolean expected) implements Condition {

    @Override
    public boolean matches(PolicyRequest request) {
        return request.facts().toolPinned() == expected;
    }

    @Override
    public String mismatch(PolicyRequest request) {
        return matches(request) ? null : expected ? "the tool is not pinned (its definition is not the reviewed one)" : "the tool is pinned";
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.UNKNOWN;
    }
}
