package dev.tollgate.policy;

/**
 * Whose share a caller's rate-limit buckets and in-flight calls count against when the gateway keeps one tenant from
 * taking what every tenant shares (review AG: counted per {@link CallerKey}, which holds the sub-user, one tenant's agent
 * acting as many users, or starting many runs, took the whole rate-limit table and every slot of a route). The AXID's
 * tenant, else the SPIFFE ID, else the OAuth issuer and subject (the principal the token names; a client without a
 * subject, its client id); a tenantless AXID is its agent. Null for a caller with none of these.
 *
 * <p>Coarser than {@link CallerKey} on purpose: sub-users, agents and runs of one tenant are one tenant here.
 */
public final class TenantKey {

    private TenantKey() {
    }

    public static String of(Identity who) {
        if (who.tenant() != null) {
            return "tenant:" + CallerKey.part(who.tenant());
        }
        if (who.spiffeId() != null) {
            return "spiffe:" + who.spiffeId();
        }
        Object subject = who.claims().get("oauth_sub");
        Object client = who.claims().get("client_id");
        if (subject != null || client != null) {
            Object issuer = who.claims().get(CallerKey.OAUTH_ISSUER);
            return "oauth:" + CallerKey.part(text(issuer)) + '/'
                    + (subject != null ? "sub:" + CallerKey.part(subject.toString()) : "client:" + CallerKey.part(client.toString()));
        }
        if (who.agent() != null) {
            return "agent:" + CallerKey.part(who.agent());
        }
        return null;
    }

    private static String text(Object claim) {
        return claim == null ? null : claim.toString();
    }
}
