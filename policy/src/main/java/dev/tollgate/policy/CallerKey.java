package dev.tollgate.policy;

/**
 * Who a caller is, as one string that no other caller's identity spells: what owns sessions' tasks, approval
 * prompts, per-caller concurrency and rate-limit buckets. The AXID's tenant and agent, else the SPIFFE ID, else the
 * OAuth issuer, client and subject; null for a caller with none of these (nothing can be bound to someone the gateway
 * cannot tell from anyone else).
 *
 * <p>Parts are joined only after {@link #part} has escaped them (review: joined as they were, tenant "acme/ops" with
 * agent "planner" and tenant "acme" with agent "ops/planner" were one owner, and an agent named "null" owned the tasks
 * of a token without one; a rate-limit bucket keyed "acme|ops" + "planner" was "acme" + "ops|planner"'s).
 */
public final class CallerKey {

    /** What a missing part is written as: {@link #part} writes a present "-" escaped, so the two never meet. */
    public static final String MISSING = "-";
    /** The claim the OAuth stage names the token's issuer with (subjects are unique only per issuer). */
    public static final String OAUTH_ISSUER = "oauth_iss";

    private CallerKey() {
    }

    public static String of(Identity who) {
        // Review V: every identity layer present is part of the owner (the first one alone let every OAuth user behind
        // one SPIFFE workload, and every sub-user of one tenant's agent, own each other's tasks).
        String key = null;
        if (who.tenant() != null || who.agent() != null) {
            key = "axid:" + part(who.tenant()) + '/' + part(who.agent()) + (who.subUser() == null ? "" : "/" + part(who.subUser()));
            if (who.tenant() == null && who.spiffeId() != null) {
                // Review AJ: a tenantless AXID names only an agent, a name any workload's tokens may carry; without the
                // workload, two teams' "planner" agents owned each other's tasks. (A tenant's agent is that tenant's
                // wherever it runs.) A SPIFFE ID holds no '|': it is a URI of unreserved path characters.
                key += "|spiffe:" + who.spiffeId();
            }
        } else if (who.spiffeId() != null) {
            key = "spiffe:" + who.spiffeId(); // one part: nothing to join
        }
        Object issuer = who.claims().get(OAUTH_ISSUER);
        Object client = who.claims().get("client_id");
        Object subject = who.claims().get("oauth_sub");
        if (client != null || subject != null) {
            String oauth = "oauth:" + part(text(issuer)) + '/' + part(text(client)) + '/' + part(text(subject));
            key = key == null ? oauth : key + '|' + oauth;
        }
        return key;
    }

    /**
     * A value that can be joined with others by '/' or '|' and read back apart: '%', '/' and '|' percent-escaped,
     * a value of exactly "-" escaped too, and null as {@link #MISSING}. Everyday names come out unchanged.
     */
    public static String part(String value) {
        if (value == null) {
            return MISSING;
        }
        if (value.equals(MISSING)) {
            return "%2D";
        }
        StringBuilder escaped = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String escape = switch (c) {
                case '%' -> "%25";
                case '/' -> "%2F";
                case '|' -> "%7C";
                default -> null;
            };
            if (escape != null && escaped == null) {
                escaped = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (escaped != null) {
                if (escape != null) {
                    escaped.append(escape);
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? value : escaped.toString();
    }

    private static String text(Object claim) {
        return claim == null ? null : claim.toString();
    }
}
