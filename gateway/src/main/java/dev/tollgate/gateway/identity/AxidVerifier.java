package dev.tollgate.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.json.WellFormedText;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies {@code X-Waxell-AXID} tokens: compact JWS, EdDSA over Ed25519 only, key chosen by {@code kid}
 * from the configured JWKS and nowhere else ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c} are refused,
 * never followed), {@code typ} checked, exp/nbf/iat with a small skew, lifetime at most five minutes, issuer
 * and audience checked, required claims present, the identity claims JSON strings of Unicode text (no unpaired
 * surrogate). Each check has its own stable reason. Pure CPU work, no I/O: safe on the event loop, and cached by
 * {@link AxidCache} so a repeat costs a lookup.
 *
 * <p>Written on Nimbus's parser and Ed25519 verifier rather than its {@code DefaultJWTProcessor}, which in
 * 10.10 does not accept OctetKeyPair keys for EdDSA (see the dependency notes).
 */
public final class AxidVerifier {

    /** The claims read as the caller's identity (and jti, the single-use key): JSON strings or absent. */
    private static final List<String> IDENTITY_CLAIMS = List.of("tenant", "agent", "run", "sub", "parent", "tree", "jti");
    /**
     * Names under which the OAuth stage puts what a validated bearer token says (scopes, subject, client, issuer): an
     * AXID claim of the same name is not a fact about an OAuth token, so it is not among the identity's claims (Review V).
     */
    private static final java.util.Set<String> OAUTH_FACTS = java.util.Set.of("scope", "oauth_sub", "oauth_iss", "client_id");

    private final AxidConfig config;
    private final java.util.function.Supplier<AxidKeys> keys;

    public AxidVerifier(AxidConfig config, JWKSet keys) {
        this(config, constant(AxidKeys.of(keys)));
    }

    /** @param keys the current keys (a JWKS URL source swaps them as it refreshes) */
    public AxidVerifier(AxidConfig config, java.util.function.Supplier<AxidKeys> keys) {
        this.config = config;
        this.keys = keys;
    }

    private static java.util.function.Supplier<AxidKeys> constant(AxidKeys keys) {
        return () -> keys;
    }

    public int keyCount() {
        return keys.get().byKid().size();
    }

    public VerifiedAxid verify(String token, Instant now) throws AxidException {
        if (token.length() > AxidConfig.MAX_TOKEN_BYTES) {
            throw new AxidException(RejectReason.AXID_TOO_LARGE, "token is " + token.length() + " bytes");
        }
        if (!CanonicalJws.isCanonicalCompact(token)) {
            throw new AxidException(RejectReason.AXID_MALFORMED, "not canonical base64url");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | IllegalArgumentException e) {
            throw new AxidException(RejectReason.AXID_MALFORMED, "not a compact JWS");
        }
        checkHeader(jwt.getHeader());
        String kid = jwt.getHeader().getKeyID();
        AxidKeys current = keys.get();
        Ed25519Verifier verifier = kid == null ? null : current.byKid().get(kid);
        if (verifier == null) {
            throw new AxidException(RejectReason.AXID_UNKNOWN_KEY, "no key with kid " + jwt.getHeader().getKeyID());
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new AxidException(RejectReason.AXID_BAD_SIGNATURE, "signature does not verify");
            }
        } catch (JOSEException | IllegalStateException e) {
            throw new AxidException(RejectReason.AXID_BAD_SIGNATURE, "signature does not verify");
        }
        Map<String, Object> json = jwt.getPayload().toJSONObject();
        JWTClaimsSet claims;
        try {
            if (json == null) {
                throw new ParseException("not a JSON object", 0);
            }
            claims = JWTClaimsSet.parse(json);
        } catch (ParseException e) {
            throw new AxidException(RejectReason.AXID_MALFORMED, "claims are not a JSON object");
        }
        Instant expiresAt = checkTimes(claims, now);
        checkIssuerAndAudience(claims);
        Map<String, String> named = identityClaims(json);
        checkRequiredClaims(claims);
        return new VerifiedAxid(identity(claims, named), expiresAt, named.get("jti"), kid, current);
    }

    /**
     * The claims that name who acts, each a JSON string when present: a tenant of {@code []}, {@code {"id":"x"}} or
     * {@code false} would be read as the text of that value, and a {@code sub} of {@code 7} as the sub-user "7" (the
     * same as "7"). Read from the payload's JSON rather than with {@link JWTClaimsSet#getStringClaim}, since Nimbus's
     * claims parser already turned a numeric {@code sub} into a string. A value holding an unpaired UTF-16 surrogate is
     * refused too ({@code axid_malformed}): it is no Unicode text, and as UTF-8 bytes it reads as another value.
     */
    private static Map<String, String> identityClaims(Map<String, Object> json) throws AxidException {
        Map<String, String> named = new HashMap<>();
        for (String name : IDENTITY_CLAIMS) {
            try {
                String value = JSONObjectUtils.getString(json, name);
                if (value != null && WellFormedText.hasLoneSurrogate(value)) {
                    // Review BR: JSON may spell one ("alice\ud800"); every key built as UTF-8 bytes (sessions, Redis
                    // spend trees, task owners) would read it as "alice?", another caller's.
                    throw new AxidException(RejectReason.AXID_MALFORMED, "claim " + name + " holds an unpaired UTF-16 surrogate");
                }
                if (value != null) {
                    named.put(name, value);
                }
            } catch (ParseException e) {
                throw new AxidException(RejectReason.AXID_MALFORMED, "claim " + name + " must be a string");
            }
        }
        return named;
    }

    /**
     * A token verified earlier, as the current keys see it: itself while the key set is the one it was verified with;
     * recorded against the new set when that still holds the same public key under its kid (a JWKS refresh builds a
     * new set every time); null when its key was removed or replaced, so a revoked signing key stops the tokens it
     * signed at the next call instead of when each expires.
     */
    VerifiedAxid underCurrentKeys(VerifiedAxid axid) {
        AxidKeys now = keys.get();
        if (now == axid.keys()) {
            return axid;
        }
        Ed25519Verifier current = now.byKid().get(axid.kid());
        Ed25519Verifier then = axid.keys().byKid().get(axid.kid());
        boolean sameKey = current != null && then != null && current.getPublicKey().getX().equals(then.getPublicKey().getX());
        return sameKey ? axid.withKeys(now) : null;
    }

    private void checkHeader(JWSHeader header) throws AxidException {
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
            throw new AxidException(RejectReason.AXID_BAD_ALGORITHM, "alg " + header.getAlgorithm() + " is not accepted; EdDSA only");
        }
        if (header.getJWKURL() != null || header.getX509CertURL() != null || header.getJWK() != null || header.getX509CertChain() != null) {
            throw new AxidException(RejectReason.AXID_FORBIDDEN_HEADER, "jku, x5u, jwk and x5c are refused");
        }
        if (!new JOSEObjectType(config.type()).equals(header.getType())) {
            throw new AxidException(RejectReason.AXID_BAD_TYPE, "typ must be " + config.type());
        }
    }

    private Instant checkTimes(JWTClaimsSet claims, Instant now) throws AxidException {
        Duration skew = config.clockSkew();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || iat == null) {
            throw new AxidException(RejectReason.AXID_MISSING_CLAIM, "exp and iat are required");
        }
        if (!exp.toInstant().plus(skew).isAfter(now)) {
            throw new AxidException(RejectReason.AXID_EXPIRED, "expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().minus(skew).isAfter(now)) {
            throw new AxidException(RejectReason.AXID_NOT_YET_VALID, "not before " + nbf.toInstant());
        }
        if (iat.toInstant().minus(skew).isAfter(now)) {
            throw new AxidException(RejectReason.AXID_NOT_YET_VALID, "issued in the future (" + iat.toInstant() + ")");
        }
        Duration lifetime = Duration.between(iat.toInstant(), exp.toInstant());
        if (lifetime.compareTo(config.maxLifetime()) > 0) {
            throw new AxidException(RejectReason.AXID_LIFETIME_TOO_LONG, "lifetime " + lifetime.toSeconds() + " s exceeds " + config.maxLifetime().toSeconds() + " s");
        }
        return exp.toInstant();
    }

    private void checkIssuerAndAudience(JWTClaimsSet claims) throws AxidException {
        if (!config.issuer().equals(claims.getIssuer())) {
            throw new AxidException(RejectReason.AXID_WRONG_ISSUER, "issuer " + claims.getIssuer() + " not accepted");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(config.audience())) {
            throw new AxidException(RejectReason.AXID_WRONG_AUDIENCE, "audience must include " + config.audience());
        }
    }

    private void checkRequiredClaims(JWTClaimsSet claims) throws AxidException {
        for (String name : config.requiredClaims()) {
            Object value = claims.getClaim(name);
            if (value == null || value instanceof String s && s.isBlank()) {
                throw new AxidException(RejectReason.AXID_MISSING_CLAIM, "claim " + name + " is required");
            }
        }
    }

    private static Identity identity(JWTClaimsSet claims, Map<String, String> named) {
        List<String> capabilities = new ArrayList<>();
        if (claims.getClaim("capabilities") instanceof List<?> list) {
            list.forEach(c -> capabilities.add(String.valueOf(c)));
        }
        Map<String, Object> all = new HashMap<>();
        claims.getClaims().forEach((k, v) -> {
            if (v != null && !OAUTH_FACTS.contains(k)) {
                all.put(k, v instanceof Date d ? d.toInstant().getEpochSecond() : v);
            }
        });
        return new Identity(null, named.get("tenant"), named.get("agent"), named.get("run"), named.get("sub"),
                named.get("parent"), named.get("tree"), capabilities, all);
    }
}
