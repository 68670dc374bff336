package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Action;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.PolicyRequest;

/** Keeps the fail-closed rule in one place: a route without a loaded policy denies every policed call. */
final class RoutePolicy {

    static final Decision NO_POLICY_DENY = new Decision(Action.DENY, null, "no policy is loaded for this route", null, Mode.ENFORCE);

    private RoutePolicy() {
    }

    static Decision decide(CompiledPolicy policy, PolicyRequest request) {
        return policy == null ? NO_POLICY_DENY : policy.evaluate(request);
    }
}
