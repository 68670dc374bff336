package dev.tollgate.gateway.identity;

import dev.tollgate.policy.Identity;
import java.time.Instant;

/** A token that passed every check: who it names, and until when it may be reused from the cache. */
public record VerifiedAxid(Identity identity, Instant expiresAt, String jti) {
}
