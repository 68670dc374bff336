package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.crypto.tink.subtle.Ed25519Sign;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import dev.tollgate.gateway.config.AxidConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * AXID verification on arbitrary tokens: only {@link AxidException} (with a reason) ever escapes. A token
 * the fuzzer writes itself, or signs with another key under the trusted kid, is never accepted. A token
 * whose header and claims the fuzzer writes but that is signed with the trusted key is accepted only when
 * header and claims meet every rule (EdDSA, the kid, typ, no key-carrying header, issuer, audience, times,
 * lifetime, required claims), read back independently with Jackson.
 *
 * <p>Input layout: byte 0 is the mode (0: the rest is the token; 1: header JSON, newline, claims JSON,
 * signed with the trusted key; 2: the same signed with another key under the same kid).
 * Seeds: {@code AxidVerifierFuzzTestInputs/acceptsOnlyValidSignaturesAndClaims/}.
 */
class AxidVerifierFuzzTest {

    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final String KID = "k1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Ed25519Sign.KeyPair TRUSTED = keyPair(1);
    private static final Ed25519Sign.KeyPair OTHER = keyPair(2);
    private static final AxidConfig CONFIG = new AxidConfig(null, AxidTokens.ISSUER, AxidTokens.AUDIENCE, "JWT", Duration.ofMinutes(5),
            Duration.ofSeconds(30), AxidConfig.DEFAULT_REQUIRED_CLAIMS, AxidConfig.Forward.STRIP);
    private static final AxidVerifier VERIFIER = new AxidVerifier(CONFIG, new JWKSet(
            new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(TRUSTED.getPublicKey())).keyID(KID).build()));

    @FuzzTest
    void acceptsOnlyValidSignaturesAndClaims(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        switch (input[0] & 3) {
            case 1 -> signedWith(TRUSTED, rest, true);
            case 2 -> signedWith(OTHER, rest, false);
            default -> assertRefused(new String(rest, StandardCharsets.UTF_8));
        }
    }

    private static void signedWith(Ed25519Sign.KeyPair key, byte[] rest, boolean mayPass) throws Exception {
        int nl = indexOf(rest, (byte) '\n');
        byte[] header = nl < 0 ? rest : Arrays.copyOfRange(rest, 0, nl);
        byte[] claims = nl < 0 ? new byte[0] : Arrays.copyOfRange(rest, nl + 1, rest.length);
        String signingInput = Base64URL.encode(header) + "." + Base64URL.encode(claims);
        String token = signingInput + "." + Base64URL.encode(new Ed25519Sign(key.getPrivateKey()).sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
        if (!mayPass) {
            assertRefused(token);
            return;
        }
        VerifiedAxid verified;
        try {
            verified = VERIFIER.verify(token, NOW);
        } catch (AxidException e) {
            assertThat(e.reason()).isNotNull();
            return;
        }
        // Read as Nimbus reads the signed parts: UTF-8 with invalid bytes replaced (the trusted key signed them as they are).
        assertMeetsEveryRule(JSON.readTree(new String(header, StandardCharsets.UTF_8)), JSON.readTree(new String(claims, StandardCharsets.UTF_8)), verified);
    }

    private static void assertRefused(String token) {
        try {
            VerifiedAxid verified = VERIFIER.verify(token, NOW);
            throw new AssertionError("accepted a token without the trusted key's signature: " + verified);
        } catch (AxidException e) {
            assertThat(e.reason()).isNotNull();
        }
    }

    private static void assertMeetsEveryRule(JsonNode header, JsonNode claims, VerifiedAxid verified) {
        assertThat(header.path("alg").asText()).isEqualTo("EdDSA");
        assertThat(header.path("kid").asText()).isEqualTo(KID);
        assertThat(header.path("typ").asText()).isEqualToIgnoringCase("JWT"); // a media type: case-insensitive (RFC 7515 4.1.9)
        for (String forbidden : new String[] {"jku", "x5u", "jwk", "x5c"}) {
            assertThat(header.has(forbidden)).as(forbidden).isFalse();
        }
        assertThat(claims.path("iss").asText()).isEqualTo(AxidTokens.ISSUER);
        JsonNode aud = claims.path("aud");
        assertThat(aud.isArray() ? aud.toString().contains("\"" + AxidTokens.AUDIENCE + "\"") : aud.asText().equals(AxidTokens.AUDIENCE))
                .as("audience").isTrue();
        long skew = CONFIG.clockSkew().toSeconds();
        long exp = claims.path("exp").asLong();
        long iat = claims.path("iat").asLong();
        assertThat(claims.path("exp").isNumber() && claims.path("iat").isNumber()).isTrue();
        assertThat(exp + skew).isGreaterThan(NOW.getEpochSecond());
        assertThat(iat - skew).isLessThanOrEqualTo(NOW.getEpochSecond());
        if (claims.has("nbf") && !claims.get("nbf").isNull()) {
            assertThat(claims.get("nbf").asLong() - skew).isLessThanOrEqualTo(NOW.getEpochSecond());
        }
        assertThat(exp - iat).isLessThanOrEqualTo(CONFIG.maxLifetime().toSeconds());
        for (String name : CONFIG.requiredClaims()) {
            JsonNode value = claims.get(name);
            assertThat(value != null && !value.isNull() && !(value.isTextual() && value.textValue().isBlank())).as("claim " + name).isTrue();
        }
        assertThat(verified.expiresAt().getEpochSecond()).isEqualTo(exp);
    }

    private static Ed25519Sign.KeyPair keyPair(int seed) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) seed);
        try {
            return Ed25519Sign.KeyPair.newKeyPairFromSeed(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
