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

    /**
     * The same key read back from a {@link CallerKey}, for what keeps only the caller's key: the task and context bindings
     * (in the gateway's table and in the shared store), whose share of the table is their tenant's (review AI: that share,
     * re-parsed from the key by hand, was the OAuth client's, all of its users in one, and a tenantless agent's sub-user's).
     * Agrees with {@link #of} for every identity but one that CallerKey does not spell: a tenantless AXID on a SPIFFE
     * workload (CallerKey keeps its agent, not the workload) is its OAuth subject, else its agent. Null for null, and for a
     * key CallerKey does not write. CallerKey escapes '/' and '|' in its parts, so these separators are its own.
     */
    public static String ofCaller(String callerKey) {
        if (callerKey == null) {
            return null;
        }
        int layer = callerKey.indexOf('|');
        String first = layer < 0 ? callerKey : callerKey.substring(0, layer);
        String axidTenant = null;
        if (first.startsWith("axid:")) {
            int slash = first.indexOf('/');
            if (slash < 0) {
                return null;
            }
            axidTenant = first.substring("axid:".length(), slash);
            if (!axidTenant.equals(CallerKey.MISSING)) {
                return "tenant:" + axidTenant;
            }
        } else if (first.startsWith("spiffe:")) {
            return first;
        }
        String oauth = first.startsWith("oauth:") ? first : layer < 0 ? null : callerKey.substring(layer + 1);
        if (oauth != null && oauth.startsWith("oauth:")) {
            int subjectAt = oauth.lastIndexOf('/');
            int clientAt = subjectAt < 0 ? -1 : oauth.lastIndexOf('/', subjectAt - 1);
            if (clientAt < 0) {
                return null;
            }
            String issuer = oauth.substring("oauth:".length(), clientAt);
            String subject = oauth.substring(subjectAt + 1);
            return "oauth:" + issuer + '/' + (!subject.equals(CallerKey.MISSING) ? "sub:" + subject : "client:" + oauth.substring(clientAt + 1, subjectAt));
        }
        if (axidTenant != null) {
            int agentAt = "axid:".length() + axidTenant.length() + 1;
            int agentEnd = first.indexOf('/', agentAt);
            return "agent:" + first.substring(agentAt, agentEnd < 0 ? first.length() : agentEnd);
        }
        return null;
    }

    private static String text(Object claim) {
        return claim == null ? null : claim.toString();
    }
}
