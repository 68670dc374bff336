package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.PolicyBundle;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The caller's claims an audit record keeps: those the loaded policies may read ({@code claim:} conditions, AGT fields
 * read as claims), so {@code tollgate replay} decides a record as the gateway did. Without them a rule on a custom claim
 * (a token's {@code role}, an AXID's {@code region}) replayed as if the caller had none. Only what policies read: a
 * record is not a copy of the token. The caller's own fields (tenant, agent, run, ...) and the OAuth subject, client and
 * scopes are recorded already.
 */
public final class AuditedClaims {

    private static final Set<String> RECORDED_AS_FIELDS = Set.of("tenant", "agent", "run", "sub", "parent", "tree", "spiffe_id",
            "capabilities", "oauth_sub", "client_id", "scope");

    private AuditedClaims() {
    }

    /** Sorted, so records list them in one order. */
    public static Set<String> of(PolicyBundle policies) {
        Set<String> names = new TreeSet<>();
        policies.all().forEach(policy -> names.addAll(policy.claimsRead()));
        names.removeAll(RECORDED_AS_FIELDS);
        return Collections.unmodifiableSet(names);
    }

    /** Whether a recorded caller holds every claim {@code policy} reads (null, for one the caller did not have, counts). */
    static boolean kept(JsonNode caller, CompiledPolicy policy) {
        for (String name : policy.claimsRead()) {
            if (!RECORDED_AS_FIELDS.contains(name) && !caller.path("claims").has(name)) {
                return false;
            }
        }
        return true;
    }
}
