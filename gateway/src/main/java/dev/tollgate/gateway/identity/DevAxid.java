package dev.tollgate.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Development AXIDs: an Ed25519 key pair and tokens signed with it (for {@code tollgate dev-keys} and {@code token}). */
public final class DevAxid {

    private DevAxid() {
    }

    public static OctetKeyPair newKey(String kid) throws JOSEException {
        return new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
    }

    /**
     * @param claims tenant, agent, run, sub, parent, tree and any others; {@code jti} is added when absent
     */
    public static String mint(OctetKeyPair key, String issuer, String audience, Duration ttl, Map<String, Object> claims,
                              List<String> capabilities) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer(issuer).audience(audience).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl))).jwtID(UUID.randomUUID().toString());
        claims.forEach((name, value) -> {
            if (name.equals("sub")) {
                builder.subject(String.valueOf(value));
            } else {
                builder.claim(name, value);
            }
        });
        if (!capabilities.isEmpty()) {
            builder.claim("capabilities", capabilities);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                builder.build());
        jwt.sign(new Ed25519Signer(key));
        return jwt.serialize();
    }
}
