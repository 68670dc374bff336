package dev.tollgate.gateway.identity;

import dev.tollgate.policy.Identity;
import java.time.Instant;

/**
 * A token that passed every check: who it names, until when it may be reused from the cache, and the key it was
 * verified with (its kid in the key set of that moment), so a reuse can tell whether that key is still trusted.
 */
public record VerifiedAxid(Identity identity, Instant expiresAt, String jti, String kid, AxidKeys keys) {

    /** The same verification, recorded against a later key set that holds the same key under the same kid. */
    VerifiedAxid withKeys(AxidKeys current) {
        return new VerifiedAxid(identity, expiresAt, jti, kid, current);
    }
}
