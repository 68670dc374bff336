package dev.tollgate.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.util.HashMap;
import java.util.Map;

/** The Ed25519 verification keys of a JWKS, by kid; keys of other types are ignored (EdDSA only). */
public record AxidKeys(Map<String, Ed25519Verifier> byKid) {

    public AxidKeys {
        byKid = Map.copyOf(byKid);
    }

    public static AxidKeys of(JWKSet set) {
        Map<String, Ed25519Verifier> verifiers = new HashMap<>();
        for (JWK key : set.getKeys()) {
            if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve()) && key.getKeyID() != null) {
                try {
                    verifiers.put(key.getKeyID(), new Ed25519Verifier(okp.toPublicJWK()));
                } catch (JOSEException e) {
                    throw new IllegalArgumentException("unusable key " + key.getKeyID() + ": " + e.getMessage(), e);
                }
            }
        }
        return new AxidKeys(verifiers);
    }
}
