package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Identity;

/** Who a caller is, as one string: what sessions' and tasks' owners and concurrency limits are keyed by. */
final class CallerKeys {

    private CallerKeys() {
    }

    /**
     * The AXID tenant and agent, else the SPIFFE ID; null for an anonymous caller (nothing can be bound to
     * someone the gateway cannot tell from anyone else).
     */
    static String owner(Identity who) {
        if (who.tenant() != null || who.agent() != null) {
            return "axid:" + who.tenant() + '/' + who.agent();
        }
        if (who.spiffeId() != null) {
            return "spiffe:" + who.spiffeId();
        }
        return null;
    }
}
