package dev.tollgate.gateway.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Builds AXIDs for tests, valid by default, with any header or claim bent out of shape. */
final class AxidTokens {

    static final String ISSUER = "https://auth.test";
    static final String AUDIENCE = "tollgate";

    private AxidTokens() {
    }

    static JWTClaimsSet.Builder validClaims(Instant now) {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("user-7")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(4))))
                .jwtID("jti-1").claim("tenant", "acme").claim("agent", "planner").claim("run", "run-42")
                .claim("parent", "run-41").claim("tree", "tree-9");
    }

    static String sign(OctetKeyPair key, UnaryOperator<JWSHeader.Builder> header, Consumer<JWTClaimsSet.Builder> claims, Instant now) {
        try {
            JWTClaimsSet.Builder c = validClaims(now);
            claims.accept(c);
            JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
            SignedJWT jwt = new SignedJWT(header.apply(h).build(), c.build());
            jwt.sign(new Ed25519Signer(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Signs these exact header and payload bytes (duplicate members, odd types and numbers that a builder would not write). */
    static String signRaw(OctetKeyPair key, String headerJson, String payloadJson) {
        try {
            String input = Base64URL.encode(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                    + Base64URL.encode(payloadJson.getBytes(StandardCharsets.UTF_8));
            JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(key.getKeyID()).build();
            return input + "." + new Ed25519Signer(key).sign(header, input.getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String valid(OctetKeyPair key, Instant now) {
        return sign(key, h -> h, c -> { }, now);
    }
}
