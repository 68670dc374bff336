package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import java.util.Collection;

/** {@code scope: tools:write}: the caller's OAuth token grants this scope (the gateway puts the token's scopes in claim {@code scope}). */
public record ScopeCondition(String scope) implements Condition {

    /** The claim under which the gateway puts a validated OAuth token's scopes, as a list. */
    public static final String CLAIM = "scope";

    @Override
    public boolean matches(PolicyRequest request) {
        return granted(request.identity());
    }

    @Override
    public String mismatch(PolicyRequest request) {
        return matches(request) ? null : "the caller's OAuth token lacks scope '" + scope + "'";
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.of(granted(identity));
    }

    private boolean granted(Identity identity) {
        Object scopes = identity.claims().get(CLAIM);
        return scopes instanceof Collection<?> list ? list.contains(scope) : scope.equals(scopes);
    }
}
