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
 * @param clockSkew      tolerance on exp, nbf and iat; at most {@link #MAX_CLOCK_SKEW}
 * @param requiredClaims claims that must be present and non-empty (tenant, agent, run, sub, parent, tree, jti by default)
 * @param forward        whether the token is passed upstream or stripped
 * @param binding        optional tie between a claim and the caller's SPIFFE ID; null for none
 * @param remoteKeys     keys from a JWKS URL (then jwksFile is null); null when keys come from the file
 */
public record AxidConfig(Path jwksFile, String issuer, String audience, String type, Duration maxLifetime, Duration clockSkew,
                         List<String> requiredClaims, Forward forward, Binding binding, RemoteKeys remoteKeys) {

    /**
     * Keys from a JWKS URL instead of a file: refreshed every {@code refresh}; a token with an unknown kid
     * triggers a refetch, at most once per {@code minRefetch}. When no fetch has succeeded for {@code maxStale}, the
     * keys are dropped and every token refused until one does: someone who can block the fetch cannot keep a
     * withdrawn key trusted for longer.
     */
    public record RemoteKeys(java.net.URI url, Duration refresh, Duration minRefetch, Duration maxStale) {
    }

    /** How long keys from a JWKS URL are trusted without a successful fetch, unless configured. */
    public static final Duration DEFAULT_JWKS_MAX_STALE = Duration.ofHours(24);

    /**
     * Ties the AXID to the mTLS workload: the claim must equal the caller's SPIFFE trust domain
     * ({@code segment} 0) or the given path segment of its SPIFFE ID (1 is the first segment after the
     * trust domain). A call with an AXID but no SPIFFE ID fails the binding (fail closed).
     */
    public record Binding(String claim, int segment) {
    }

    public AxidConfig(Path jwksFile, String issuer, String audience, String type, Duration maxLifetime, Duration clockSkew,
                      List<String> requiredClaims, Forward forward) {
        this(jwksFile, issuer, audience, type, maxLifetime, clockSkew, requiredClaims, forward, null, null);
    }

    public static final String HEADER = "X-Waxell-AXID";
    public static final Duration MAX_LIFETIME_CEILING = Duration.ofMinutes(5);
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /**
     * The largest {@code clock-skew}: tokens are accepted until {@code exp} plus the skew, and single-use token ids are
     * remembered for that long plus a margin (JtiReplayGuard); clocks further apart than this are a fault to fix.
     */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final List<String> DEFAULT_REQUIRED_CLAIMS = List.of("tenant", "agent", "run", "sub", "parent", "tree", "jti");
    /** A token larger than this is refused unread: legitimate AXIDs are a few hundred bytes. */
    public static final int MAX_TOKEN_BYTES = 8 * 1024;

    /** What happens to the header after verification. */
    public enum Forward { PASS, STRIP }

    public AxidConfig {
        requiredClaims = List.copyOf(requiredClaims);
    }
}
