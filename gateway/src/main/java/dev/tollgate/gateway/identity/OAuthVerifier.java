package dev.tollgate.gateway.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.protocols.json.WellFormedText;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates a route's bearer tokens as its resource server: a JWT signed by one of the authorization server's keys
 * (asymmetric algorithms only: {@code none} and HMAC are refused, so a public key can never be used as a shared
 * secret), issued by the configured issuer, for this route's resource (RFC 8707 audience), not expired or not yet
 * valid (with the configured skew), carrying the route's required scopes. CPU only; valid tokens are cached until
 * they expire, so a session's calls verify once.
 */
public final class OAuthVerifier {

    /** Why a token was refused, with the stable reason the client gets. */
    public static final class Rejected extends Exception {
        private final RejectReason reason;

        public Rejected(RejectReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        public RejectReason reason() {
            return reason;
        }
    }

    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    private static final Set<String> REGISTERED = Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "scp", "client_id", "azp");

    private final OAuthConfig config;
    private final OAuthKeys keys;
    private final Clock clock;
    private final Cache<String, Verified> verified = Caffeine.newBuilder().maximumSize(10_000).build();

    /** A token that passed, with the key set its signature was checked against. */
    private record Verified(OAuthPrincipal principal, JWKSet keys) {
    }
    private final OAuthIntrospection introspection;
    private final UpstreamTokens upstreamTokens;

    /** @param keys the authorization server's keys; null when tokens are introspected instead */
    public OAuthVerifier(OAuthConfig config, OAuthKeys keys, Clock clock) {
        this.config = config;
        this.keys = keys;
        this.clock = clock;
        this.introspection = config.introspection() == null ? null : new OAuthIntrospection(config, clock);
        this.upstreamTokens = config.upstreamGrant() == null ? null : new UpstreamTokens(config.upstreamGrant(), clock);
    }

    /** How the upstream's own token is obtained; null for a static credential or none. */
    public UpstreamTokens upstreamTokens() {
        return upstreamTokens;
    }

    /** Tokens checked by the authorization server (RFC 7662) rather than as JWTs; null for JWTs. */
    public OAuthIntrospection introspection() {
        return introspection;
    }

    public OAuthConfig config() {
        return config;
    }

    public OAuthKeys keys() {
        return keys;
    }

    /** @throws Rejected with {@code oauth_unknown_key} when no current key matches (the caller may refetch and retry) */
    public OAuthPrincipal verify(String token) throws Rejected {
        Instant now = clock.instant();
        JWKSet current = keys.keys();
        Verified cached = verified.getIfPresent(token);
        if (cached != null && now.isBefore(cached.principal().expiresAt().plus(config.clockSkew()))) {
            if (cached.keys() == current) {
                return cached.principal();
            }
            // The keys were refetched since (every few minutes, a new set each time): the signature is checked once more
            // against them, so a key the authorization server withdrew stops its tokens now, not when each expires.
            verified.invalidate(token);
        }
        JWTClaimsSet claims = signedClaims(token, current);
        OAuthPrincipal principal = check(claims, now);
        verified.put(token, new Verified(principal, current));
        return principal;
    }

    /**
     * The {@code typ} headers an access token may carry: RFC 9068's {@code at+jwt} (its full media type too), which a
     * conforming authorization server must set and Nimbus's default verifier refused (review BH), and {@code JWT} or none,
     * as authorization servers predating RFC 9068 issue (compared ignoring case).
     */
    private static final DefaultJOSEObjectTypeVerifier<SecurityContext> ACCESS_TOKEN_TYPES = new DefaultJOSEObjectTypeVerifier<>(
            new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), JOSEObjectType.JWT, null);

    private JWTClaimsSet signedClaims(String token, JWKSet current) throws Rejected {
        if (!CanonicalJws.isCanonicalCompact(token)) {
            // Before the cache is filled: see CanonicalJws (one token's other spellings would each take an entry).
            throw new Rejected(RejectReason.OAUTH_TOKEN_INVALID, "not a compact JWS in canonical base64url");
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(current)));
        processor.setJWSTypeVerifier(ACCESS_TOKEN_TYPES);
        // Claims are checked below, with reasons of our own.
        processor.setJWTClaimsSetVerifier((claims, context) -> { });
        try {
            return processor.process(token, null);
        } catch (ParseException e) {
            throw new Rejected(RejectReason.OAUTH_TOKEN_INVALID, "not a signed JWT");
        } catch (BadJOSEException e) {
            boolean noKey = e.getMessage() != null && e.getMessage().contains("no matching key");
            throw new Rejected(noKey ? RejectReason.OAUTH_UNKNOWN_KEY : RejectReason.OAUTH_TOKEN_INVALID, e.getMessage());
        } catch (JOSEException e) {
            throw new Rejected(RejectReason.OAUTH_TOKEN_INVALID, "signature could not be checked: " + e.getMessage());
        }
    }

    /** The claims naming who the token is for (or who issued it): Unicode text, or the token is refused. */
    private static final List<String> NAMING_CLAIMS = List.of("iss", "sub", "client_id", "azp");

    private OAuthPrincipal check(JWTClaimsSet claims, Instant now) throws Rejected {
        for (String name : NAMING_CLAIMS) {
            // Review BR: a subject spelled "alice\ud800" is "alice?" in every key built as UTF-8 bytes (sessions, Redis).
            if (claims.getClaim(name) instanceof String value && WellFormedText.hasLoneSurrogate(value)) {
                throw new Rejected(RejectReason.OAUTH_TOKEN_INVALID, "claim " + name + " holds an unpaired UTF-16 surrogate");
            }
        }
        if (!config.issuer().toString().replaceAll("/+$", "").equals(String.valueOf(claims.getIssuer()).replaceAll("/+$", ""))) {
            throw new Rejected(RejectReason.OAUTH_TOKEN_INVALID, "issued by " + claims.getIssuer() + ", not " + config.issuer());
        }
        List<String> audience = claims.getAudience();
        String resource = config.resource().toString();
        if (audience == null || audience.stream().noneMatch(a -> a.replaceAll("/+$", "").equals(resource.replaceAll("/+$", "")))) {
            throw new Rejected(RejectReason.OAUTH_WRONG_AUDIENCE, "the token is for " + audience + ", not for " + resource);
        }
        if (claims.getExpirationTime() == null) {
            throw new Rejected(RejectReason.OAUTH_TOKEN_INVALID, "the token has no expiry");
        }
        Instant expires = claims.getExpirationTime().toInstant();
        if (!now.isBefore(expires.plus(config.clockSkew()))) {
            throw new Rejected(RejectReason.OAUTH_TOKEN_EXPIRED, "expired at " + expires);
        }
        if (claims.getNotBeforeTime() != null && now.plus(config.clockSkew()).isBefore(claims.getNotBeforeTime().toInstant())) {
            throw new Rejected(RejectReason.OAUTH_TOKEN_INVALID, "not valid before " + claims.getNotBeforeTime().toInstant());
        }
        List<String> scopes = scopes(claims);
        List<String> missing = config.requiredScopes().stream().filter(s -> !scopes.contains(s)).toList();
        if (!missing.isEmpty()) {
            throw new Rejected(RejectReason.OAUTH_INSUFFICIENT_SCOPE, "missing scope(s) " + String.join(" ", missing));
        }
        String client = text(claims, "client_id");
        return new OAuthPrincipal(claims.getSubject(), client != null ? client : text(claims, "azp"), scopes, simpleClaims(claims), expires);
    }

    /** {@code scope} as a space-separated string (RFC 9068), or {@code scp} as a list (common in practice). */
    static List<String> scopes(JWTClaimsSet claims) {
        Object scope = claims.getClaim("scope");
        List<String> out = new ArrayList<>();
        if (scope instanceof String s) {
            for (String part : s.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        Object scp = claims.getClaim("scp");
        if (scp instanceof List<?> list) {
            list.forEach(v -> out.add(String.valueOf(v)));
        } else if (scp instanceof String s) {
            out.add(s);
        }
        return out;
    }

    private static String text(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String s ? s : null;
    }

    private static Map<String, Object> simpleClaims(JWTClaimsSet claims) {
        return simpleClaims(claims.getClaims(), REGISTERED);
    }

    /**
     * The claims policy reads, from a token's (or an introspection answer's) members other than those the gateway reads
     * itself: strings, numbers, booleans and lists of strings; other shapes are left out.
     */
    static Map<String, Object> simpleClaims(Map<String, ?> members, java.util.Set<String> readByTheGateway) {
        Map<String, Object> out = new LinkedHashMap<>();
        members.forEach((name, value) -> {
            if (readByTheGateway.contains(name)) {
                return;
            }
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                out.put(name, value);
            } else if (value instanceof List<?> list && list.stream().allMatch(v -> v instanceof String)) {
                out.put(name, List.copyOf(list));
            }
        });
        return out;
    }
}
