package dev.tollgate.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How {@code X-Waxell-AXID} tokens are verified: Ed25519-signed JWTs from the keys in a JWKS file.
 *
 * @param jwksFile       public keys (OKP, Ed25519, each with a kid); watched by hot reload
 * @param issuer         required {@code iss}
 * @param audience       required member of {@code aud}
 * @param type           required {@code typ} header
 * @param maxLifetime    largest allowed {@code exp - iat}; never above five minutes
 * @param clockSkew      tolerance on exp, nbf and iat
 * @param requiredClaims claims that must be present and non-empty (tenant, agent, run, sub, parent, tree, jti by default)
 * @param forward        whether the token is passed upstream or stripped
 */
public record AxidConfig(Path jwksFile, String issuer, String audience, String type, Duration maxLifetime, Duration clockSkew,
                         List<String> requiredClaims, Forward forward) {

    public static final String HEADER = "X-Waxell-AXID";
    public static final Duration MAX_LIFETIME_CEILING = Duration.ofMinutes(5);
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    public static final List<String> DEFAULT_REQUIRED_CLAIMS = List.of("tenant", "agent", "run", "sub", "parent", "tree", "jti");
    /** A token larger than this is refused unread: legitimate AXIDs are a few hundred bytes. */
    public static final int MAX_TOKEN_BYTES = 8 * 1024;

    /** What happens to the header after verification. */
    public enum Forward { PASS, STRIP }

    public AxidConfig {
        requiredClaims = List.copyOf(requiredClaims);
    }
}
