package dev.tollgate.policy;

/**
 * Whose share a caller counts against when the gateway keeps one tenant from taking what every tenant shares. Two
 * readings, as what is shared differs:
 * <ul>
 *   <li>{@link #of}, for capacity (rate-limit buckets and calls in flight, review AG: counted per {@link CallerKey},
 *       which holds the sub-user, one tenant's agent acting as many users, or starting many runs, took the whole
 *       rate-limit table and every slot of a route): the AXID's tenant, else the SPIFFE workload, else the OAuth issuer
 *       and subject (the principal the token names; a client without a subject, its client id); a tenantless AXID is its
 *       agent. A client app connecting over mTLS is one tenant however many users sign in through it (review AL: with
 *       its users apart, one workload held a route's slots many times over its tenant limit and left the reserve
 *       nothing to lend).</li>
 *   <li>{@link #ofHolder}, for what a caller holds for a day or more (task and context bindings, abandoned request
 *       ids): the OAuth principal before the workload, so the users behind one workload cannot lock each other out of
 *       the task table or push each other's held ids out (review AJ).</li>
 * </ul>
 * Null for a caller with none of these. Coarser than {@link CallerKey} on purpose: sub-users, agents and runs of one
 * tenant are one tenant here.
 */
public final class TenantKey {

    private TenantKey() {
    }

    /** The capacity share: AXID tenant, else SPIFFE workload, else OAuth principal, else agent. */
    public static String of(Identity who) {
        if (who.tenant() != null) {
            return "tenant:" + CallerKey.part(who.tenant());
        }
        if (who.spiffeId() != null) {
            return "spiffe:" + who.spiffeId();
        }
        return principalElseAgent(who);
    }

    /** The holdings share: AXID tenant, else OAuth principal, else SPIFFE workload, else agent. */
    public static String ofHolder(Identity who) {
        if (who.tenant() != null) {
            return "tenant:" + CallerKey.part(who.tenant());
        }
        boolean namesPrincipal = who.claims().get("oauth_sub") != null || who.claims().get("client_id") != null;
        if (who.spiffeId() != null && !namesPrincipal) {
            return "spiffe:" + who.spiffeId();
        }
        return principalElseAgent(who);
    }

    private static String principalElseAgent(Identity who) {
        Object subject = who.claims().get("oauth_sub");
        Object client = who.claims().get("client_id");
        if (subject != null || client != null) {
            return oauth(text(who.claims().get(CallerKey.OAUTH_ISSUER)), text(client), text(subject), false);
        }
        if (who.agent() != null) {
            return "agent:" + CallerKey.part(who.agent());
        }
        return null;
    }

    /** @param escaped whether the parts are already as {@link CallerKey#part} writes them */
    private static String oauth(String issuer, String client, String subject, boolean escaped) {
        if (escaped) {
            return "oauth:" + issuer + '/' + (!subject.equals(CallerKey.MISSING) ? "sub:" + subject : "client:" + client);
        }
        return "oauth:" + CallerKey.part(issuer) + '/' + (subject != null ? "sub:" + CallerKey.part(subject) : "client:" + CallerKey.part(client));
    }

    /**
     * The holdings key ({@link #ofHolder}) read back from a {@link CallerKey}, for what keeps only the caller's key: the task and context bindings
     * (in the gateway's table and in the shared store), whose share of the table is their tenant's (review AI: that share,
     * re-parsed from the key by hand, was the OAuth client's, all of its users in one, and a tenantless agent's sub-user's).
     * Agrees with {@link #ofHolder} for every identity (TenantKeyTest). Null for null, and for a key CallerKey does not write.
     * CallerKey escapes '/' and '|' in its parts, so these separators are its own; its layers are an AXID or a SPIFFE ID
     * first, then (a tenantless AXID's) the SPIFFE ID, then the OAuth token's issuer, client and subject.
     */
    public static String ofCaller(String callerKey) {
        if (callerKey == null) {
            return null;
        }
        String axid = null;
        String spiffe = null;
        String oauth = null;
        for (String layer : callerKey.split("\\|", -1)) {
            if (layer.startsWith("axid:") && axid == null && spiffe == null && oauth == null) {
                axid = layer.substring("axid:".length());
            } else if (layer.startsWith("spiffe:") && spiffe == null && oauth == null) {
                spiffe = layer;
            } else if (layer.startsWith("oauth:") && oauth == null) {
                oauth = layer.substring("oauth:".length());
            } else {
                return null;
            }
        }
        String[] agentParts = axid == null ? null : axid.split("/", -1);
        if (agentParts != null && (agentParts.length < 2 || agentParts.length > 3)) {
            return null;
        }
        if (agentParts != null && !agentParts[0].equals(CallerKey.MISSING)) {
            return "tenant:" + agentParts[0];
        }
        if (oauth != null) {
            String[] parts = oauth.split("/", -1);
            return parts.length != 3 ? null : oauth(parts[0], parts[1], parts[2], true);
        }
        if (spiffe != null) {
            return spiffe;
        }
        return agentParts == null ? null : "agent:" + agentParts[1];
    }

    private static String text(Object claim) {
        return claim == null ? null : claim.toString();
    }
}
