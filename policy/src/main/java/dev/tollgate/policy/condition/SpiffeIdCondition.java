package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;

/** {@code spiffe_id: spiffe://prod.example/agents/*}: the caller's workload identity matches a path glob. */
public record SpiffeIdCondition(Glob glob) implements Condition {

    @Override
    public boolean matches(PolicyRequest request) {
        return glob.matches(request.identity().spiffeId());
    }

    @Override
    public String mismatch(PolicyRequest request) {
        String id = request.identity().spiffeId();
        return matches(request) ? null : (id == null ? "the caller has no SPIFFE ID" : "SPIFFE ID '" + id + "' does not match '" + glob + "'");
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.of(glob.matches(identity.spiffeId()));
    }
}
