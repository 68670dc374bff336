package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.gateway.errors.RejectReason;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A table of forged and malformed AXIDs, each refused with its own stable reason. */
class AxidVerifierTest {

    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    static OctetKeyPair key;
    static OctetKeyPair otherKeySameKid;
    static AxidVerifier verifier;

    @BeforeAll
    static void keys() throws Exception {
        key = DevAxid.newKey("k1");
        otherKeySameKid = DevAxid.newKey("k1");
        verifier = new AxidVerifier(config(), new JWKSet(key.toPublicJWK()));
    }

    static AxidConfig config() {
        return new AxidConfig(null, AxidTokens.ISSUER, AxidTokens.AUDIENCE, "JWT", Duration.ofMinutes(5), Duration.ofSeconds(30),
                AxidConfig.DEFAULT_REQUIRED_CLAIMS, AxidConfig.Forward.STRIP);
    }

    record Forgery(String name, Function<Void, String> token, RejectReason reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Arguments row(String name, Function<Void, String> token, RejectReason reason) {
        return Arguments.of(new Forgery(name, token, reason));
    }

    static Stream<Arguments> forgeries() {
        return Stream.of(
                row("alg none, unsigned", v -> unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}"), RejectReason.AXID_MALFORMED),
                row("HS256 keyed with the public key", v -> hs256WithPublicKey(), RejectReason.AXID_BAD_ALGORITHM),
                row("signed by another key with the same kid", v -> AxidTokens.valid(otherKeySameKid, NOW), RejectReason.AXID_BAD_SIGNATURE),
                row("tampered payload", v -> tamper(AxidTokens.valid(key, NOW)), RejectReason.AXID_BAD_SIGNATURE),
                row("signature stripped", v -> stripSignature(AxidTokens.valid(key, NOW)), RejectReason.AXID_MALFORMED),
                row("expired", v -> AxidTokens.sign(key, h -> h, c -> c.issueTime(Date.from(NOW.minusSeconds(400)))
                        .expirationTime(Date.from(NOW.minusSeconds(120))), NOW), RejectReason.AXID_EXPIRED),
                row("nbf in the future", v -> AxidTokens.sign(key, h -> h, c -> c.notBeforeTime(Date.from(NOW.plusSeconds(120))), NOW),
                        RejectReason.AXID_NOT_YET_VALID),
                row("issued in the future", v -> AxidTokens.sign(key, h -> h, c -> c.issueTime(Date.from(NOW.plusSeconds(120)))
                        .expirationTime(Date.from(NOW.plusSeconds(200))), NOW), RejectReason.AXID_NOT_YET_VALID),
                row("lifetime over five minutes", v -> AxidTokens.sign(key, h -> h, c -> c.expirationTime(Date.from(NOW.plus(Duration.ofMinutes(6)))), NOW),
                        RejectReason.AXID_LIFETIME_TOO_LONG),
                row("no exp", v -> AxidTokens.sign(key, h -> h, c -> c.expirationTime(null), NOW), RejectReason.AXID_MISSING_CLAIM),
                row("wrong issuer", v -> AxidTokens.sign(key, h -> h, c -> c.issuer("https://evil"), NOW), RejectReason.AXID_WRONG_ISSUER),
                row("wrong audience", v -> AxidTokens.sign(key, h -> h, c -> c.audience("someone-else"), NOW), RejectReason.AXID_WRONG_AUDIENCE),
                row("missing tenant", v -> AxidTokens.sign(key, h -> h, c -> c.claim("tenant", null), NOW), RejectReason.AXID_MISSING_CLAIM),
                row("missing agent", v -> AxidTokens.sign(key, h -> h, c -> c.claim("agent", null), NOW), RejectReason.AXID_MISSING_CLAIM),
                row("missing run", v -> AxidTokens.sign(key, h -> h, c -> c.claim("run", null), NOW), RejectReason.AXID_MISSING_CLAIM),
                row("missing sub", v -> AxidTokens.sign(key, h -> h, c -> c.subject(null), NOW), RejectReason.AXID_MISSING_CLAIM),
                row("missing parent", v -> AxidTokens.sign(key, h -> h, c -> c.claim("parent", null), NOW), RejectReason.AXID_MISSING_CLAIM),
                row("missing tree", v -> AxidTokens.sign(key, h -> h, c -> c.claim("tree", null), NOW), RejectReason.AXID_MISSING_CLAIM),
                row("missing jti", v -> AxidTokens.sign(key, h -> h, c -> c.jwtID(null), NOW), RejectReason.AXID_MISSING_CLAIM),
                row("blank tenant", v -> AxidTokens.sign(key, h -> h, c -> c.claim("tenant", " "), NOW), RejectReason.AXID_MISSING_CLAIM),
                // Identity claims of another JSON type were read as their text: tenant [] as "[]", {"id":"globex"} as
                // "{id=globex}", false as "false", sub 7 as the sub-user "7" (which Nimbus's own parser makes a string).
                row("tenant an empty array", v -> AxidTokens.sign(key, h -> h, c -> c.claim("tenant", List.of()), NOW), RejectReason.AXID_MALFORMED),
                row("tenant an object", v -> AxidTokens.sign(key, h -> h, c -> c.claim("tenant", Map.of("id", "globex")), NOW),
                        RejectReason.AXID_MALFORMED),
                row("tenant false", v -> AxidTokens.sign(key, h -> h, c -> c.claim("tenant", false), NOW), RejectReason.AXID_MALFORMED),
                row("sub a number", v -> AxidTokens.sign(key, h -> h, c -> c.claim("sub", 7), NOW), RejectReason.AXID_MALFORMED),
                row("agent a number", v -> AxidTokens.sign(key, h -> h, c -> c.claim("agent", 42), NOW), RejectReason.AXID_MALFORMED),
                row("tree an array of one string", v -> AxidTokens.sign(key, h -> h, c -> c.claim("tree", List.of("tree-9")), NOW),
                        RejectReason.AXID_MALFORMED),
                row("jti a number", v -> AxidTokens.sign(key, h -> h, c -> c.claim("jti", 1), NOW), RejectReason.AXID_MALFORMED),
                row("unknown kid", v -> AxidTokens.sign(key, h -> h.keyID("k-unknown"), c -> { }, NOW), RejectReason.AXID_UNKNOWN_KEY),
                row("no kid", v -> AxidTokens.sign(key, h -> h.keyID(null), c -> { }, NOW), RejectReason.AXID_UNKNOWN_KEY),
                row("jku header", v -> AxidTokens.sign(key, h -> h.jwkURL(URI.create("https://evil/jwks")), c -> { }, NOW), RejectReason.AXID_FORBIDDEN_HEADER),
                row("x5u header", v -> AxidTokens.sign(key, h -> h.x509CertURL(URI.create("https://evil/cert")), c -> { }, NOW), RejectReason.AXID_FORBIDDEN_HEADER),
                row("embedded jwk header", v -> AxidTokens.sign(key, h -> h.jwk(otherKeySameKid.toPublicJWK()), c -> { }, NOW), RejectReason.AXID_FORBIDDEN_HEADER),
                row("x5c header", v -> AxidTokens.sign(key, h -> h.x509CertChain(List.of(Base64.getEncoder().encodeToString("x".getBytes())).stream()
                        .map(com.nimbusds.jose.util.Base64::new).toList()), c -> { }, NOW), RejectReason.AXID_FORBIDDEN_HEADER),
                row("wrong typ", v -> AxidTokens.sign(key, h -> h.type(new JOSEObjectType("at+jwt")), c -> { }, NOW), RejectReason.AXID_BAD_TYPE),
                row("no typ", v -> AxidTokens.sign(key, h -> h.type(null), c -> { }, NOW), RejectReason.AXID_BAD_TYPE),
                row("RFC 9864 alg Ed25519 (not accepted)", v -> unsigned("{\"alg\":\"Ed25519\",\"kid\":\"k1\",\"typ\":\"JWT\"}") + "AAAA",
                        RejectReason.AXID_BAD_ALGORITHM),
                row("oversized", v -> AxidTokens.sign(key, h -> h, c -> c.claim("pad", "x".repeat(AxidConfig.MAX_TOKEN_BYTES)), NOW), RejectReason.AXID_TOO_LARGE),
                row("bad base64 header", v -> "!!!not-base64!!!.eyJzdWIiOiJ4In0.c2ln", RejectReason.AXID_MALFORMED),
                // Refused before the signature is checked since non-canonical base64url is (it was a signature failure).
                row("bad base64 payload under a valid header", v -> AxidTokens.valid(key, NOW).split("\\.")[0] + ".!!!.c2ln",
                        RejectReason.AXID_MALFORMED),
                // Spellings of a valid token that Nimbus's lenient decoder reads as the same bytes: each verified, and
                // each was its own entry in the verified-token cache (review finding: one token filled the cache).
                row("a space inside the signature", v -> insertIntoSignature(AxidTokens.valid(key, NOW), " "), RejectReason.AXID_MALFORMED),
                row("'!' inside the signature", v -> insertIntoSignature(AxidTokens.valid(key, NOW), "!"), RejectReason.AXID_MALFORMED),
                row("'~' inside the payload", v -> AxidTokens.valid(key, NOW).replaceFirst("\\.", ".~"), RejectReason.AXID_MALFORMED),
                row("padding after the signature", v -> AxidTokens.valid(key, NOW) + "==", RejectReason.AXID_MALFORMED),
                row("unused bits set in the signature's last character", v -> flipUnusedBit(AxidTokens.valid(key, NOW)),
                        RejectReason.AXID_MALFORMED),
                row("two segments", v -> "abc.def", RejectReason.AXID_MALFORMED),
                row("only a space", v -> " ", RejectReason.AXID_MALFORMED),
                // Exact JSON a builder would not write, signed by the trusted key.
                row("tenant twice in the payload", v -> AxidTokens.signRaw(key, RAW_HEADER,
                        rawPayload(String.valueOf(NOW.getEpochSecond() + 240)).replace("\"tenant\":\"acme\"", "\"tenant\":\"acme\",\"tenant\":\"globex\"")),
                        RejectReason.AXID_MALFORMED),
                row("kid twice in the header", v -> AxidTokens.signRaw(key, "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"kid\":\"k2\",\"typ\":\"JWT\"}",
                        rawPayload(String.valueOf(NOW.getEpochSecond() + 240))), RejectReason.AXID_MALFORMED),
                row("alg twice in the header", v -> AxidTokens.signRaw(key, "{\"alg\":\"HS256\",\"alg\":\"EdDSA\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
                        rawPayload(String.valueOf(NOW.getEpochSecond() + 240))), RejectReason.AXID_MALFORMED),
                row("an unknown critical header", v -> AxidTokens.signRaw(key,
                        "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"typ\":\"JWT\",\"crit\":[\"x-tenant\"],\"x-tenant\":\"globex\"}",
                        rawPayload(String.valueOf(NOW.getEpochSecond() + 240))), RejectReason.AXID_BAD_SIGNATURE),
                row("lifetime 301 s", v -> AxidTokens.signRaw(key, RAW_HEADER, rawPayload(String.valueOf(NOW.getEpochSecond() + 301))),
                        RejectReason.AXID_LIFETIME_TOO_LONG),
                // exp * 1000 wraps: read as long expired, never as far future
                row("exp overflowing milliseconds", v -> AxidTokens.signRaw(key, RAW_HEADER, rawPayload(String.valueOf(Long.MAX_VALUE / 1000 + 1))),
                        RejectReason.AXID_EXPIRED),
                row("exp 1e30", v -> AxidTokens.signRaw(key, RAW_HEADER, rawPayload("1e30")), RejectReason.AXID_EXPIRED),
                row("exp a string", v -> AxidTokens.signRaw(key, RAW_HEADER, rawPayload("\"" + (NOW.getEpochSecond() + 60) + "\"")),
                        RejectReason.AXID_MALFORMED),
                row("signature scalar S + L (Ed25519 malleability)", v -> malleate(AxidTokens.valid(key, NOW)), RejectReason.AXID_BAD_SIGNATURE),
                row("garbage", v -> "hello", RejectReason.AXID_MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void refusesWithItsReason(Forgery forgery) {
        assertThatThrownBy(() -> verifier.verify(forgery.token().apply(null), NOW))
                .isInstanceOfSatisfying(AxidException.class, e -> assertThat(e.reason()).isEqualTo(forgery.reason()));
    }

    @Test
    void validTokenYieldsTheIdentity() throws Exception {
        VerifiedAxid verified = verifier.verify(AxidTokens.sign(key, h -> h, c -> c.claim("capabilities", List.of("fs.read")), NOW), NOW);

        assertThat(verified.identity().tenant()).isEqualTo("acme");
        assertThat(verified.identity().agent()).isEqualTo("planner");
        assertThat(verified.identity().run()).isEqualTo("run-42");
        assertThat(verified.identity().subUser()).isEqualTo("user-7");
        assertThat(verified.identity().parent()).isEqualTo("run-41");
        assertThat(verified.identity().tree()).isEqualTo("tree-9");
        assertThat(verified.identity().capabilities()).containsExactly("fs.read");
        assertThat(verified.jti()).isEqualTo("jti-1");
    }

    /** The lifetime bound is inclusive (301 s is refused in the table); also shows the raw signer makes valid tokens. */
    @Test
    void aLifetimeOfExactlyFiveMinutesIsAccepted() throws Exception {
        String token = AxidTokens.signRaw(key, RAW_HEADER, rawPayload(String.valueOf(NOW.getEpochSecond() + 300)));

        assertThat(verifier.verify(token, NOW).identity().tenant()).isEqualTo("acme");
    }

    @Test
    void clockSkewIsTolerated() throws Exception {
        String justExpired = AxidTokens.sign(key, h -> h, c -> c.issueTime(Date.from(NOW.minusSeconds(200)))
                .expirationTime(Date.from(NOW.minusSeconds(10))), NOW);

        assertThat(verifier.verify(justExpired, NOW).identity().tenant()).isEqualTo("acme");
    }

    /** The configured skew is 30 s: a second inside it passes, the skew itself and beyond are refused. */
    static Stream<Arguments> skewBounds() {
        return Stream.of(
                Arguments.of("expired 29 s ago", expiredAgo(29), null),
                Arguments.of("expired exactly the skew ago", expiredAgo(30), RejectReason.AXID_EXPIRED),
                Arguments.of("expired 31 s ago", expiredAgo(31), RejectReason.AXID_EXPIRED),
                Arguments.of("nbf 29 s ahead", AxidTokens.sign(key, h -> h, c -> c.notBeforeTime(Date.from(NOW.plusSeconds(29))), NOW), null),
                Arguments.of("nbf 31 s ahead", AxidTokens.sign(key, h -> h, c -> c.notBeforeTime(Date.from(NOW.plusSeconds(31))), NOW),
                        RejectReason.AXID_NOT_YET_VALID),
                Arguments.of("iat 29 s ahead", issuedAhead(29), null),
                Arguments.of("iat 31 s ahead", issuedAhead(31), RejectReason.AXID_NOT_YET_VALID));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("skewBounds")
    void clockSkewHasAnUpperBound(String name, String token, RejectReason reason) throws Exception {
        if (reason == null) {
            assertThat(verifier.verify(token, NOW).identity().tenant()).isEqualTo("acme");
        } else {
            assertThatThrownBy(() -> verifier.verify(token, NOW))
                    .isInstanceOfSatisfying(AxidException.class, e -> assertThat(e.reason()).isEqualTo(reason));
        }
    }

    private static String expiredAgo(long seconds) {
        return AxidTokens.sign(key, h -> h, c -> c.issueTime(Date.from(NOW.minusSeconds(200)))
                .expirationTime(Date.from(NOW.minusSeconds(seconds))), NOW);
    }

    private static String issuedAhead(long seconds) {
        return AxidTokens.sign(key, h -> h, c -> c.issueTime(Date.from(NOW.plusSeconds(seconds)))
                .expirationTime(Date.from(NOW.plusSeconds(seconds + 60))), NOW);
    }

    @Test
    void cacheReturnsTheVerifiedTokenUntilItExpires() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(NOW);
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        AxidCache cache = new AxidCache(verifier, clock);
        String token = AxidTokens.valid(key, NOW);

        VerifiedAxid first = cache.verify(token);
        VerifiedAxid second = cache.verify(token);
        now.set(NOW.plus(Duration.ofMinutes(10)));

        assertThat(second).isSameAs(first);
        assertThat(cache.hitRate()).isEqualTo(0.5);
        assertThatThrownBy(() -> cache.verify(token)).isInstanceOfSatisfying(AxidException.class,
                e -> assertThat(e.reason()).isEqualTo(RejectReason.AXID_EXPIRED));
    }

    @Test
    void theLastTokenOfAThreadAnswersOnlyThatToken() throws Exception {
        AxidCache cache = new AxidCache(verifier, java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
        String first = AxidTokens.valid(key, NOW);
        String second = AxidTokens.sign(key, h -> h, c -> c.claim("run", "run-43"), NOW);

        VerifiedAxid a = cache.verify(first);
        VerifiedAxid b = cache.verify(second);
        // An equal token built apart (not the same String instance) is the last token all the same.
        VerifiedAxid bAgain = cache.verify(new String(second.toCharArray()));
        VerifiedAxid aAgain = cache.verify(first);
        VerifiedAxid onAnotherThread = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return cache.verify(second);
            } catch (AxidException e) {
                throw new IllegalStateException(e);
            }
        }).join();

        assertThat(b.identity().run()).isEqualTo("run-43");
        assertThat(a.identity().run()).isEqualTo("run-42");
        assertThat(bAgain).isSameAs(b);
        assertThat(aAgain).isSameAs(a);
        assertThat(onAnotherThread).isSameAs(b);
        assertThat(cache.hitRate()).isEqualTo(3.0 / 5);
        assertThatThrownBy(() -> cache.verify(tamper(second))).isInstanceOf(AxidException.class);
    }

    @Test
    void aCachedTokenIsRefusedAtItsNextUseOnceItsKeyLeavesTheKeySet() throws Exception {
        OctetKeyPair other = DevAxid.newKey("k2");
        java.util.concurrent.atomic.AtomicReference<AxidKeys> keys = new java.util.concurrent.atomic.AtomicReference<>(
                AxidKeys.of(new JWKSet(key.toPublicJWK())));
        AxidCache cache = new AxidCache(new AxidVerifier(config(), keys::get), java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
        String token = AxidTokens.valid(key, NOW);
        VerifiedAxid first = cache.verify(token);

        // A JWKS refresh that still publishes the key (a new key set every time): the verification stands.
        keys.set(AxidKeys.of(new JWKSet(List.<com.nimbusds.jose.jwk.JWK>of(key.toPublicJWK(), other.toPublicJWK()))));
        assertThat(cache.verify(token).identity()).isEqualTo(first.identity());
        assertThat(onAnotherThread(() -> cache.verify(token)).identity()).isEqualTo(first.identity());

        // The kid now names another key (rotated in place): refused, from this thread's last token and from the cache.
        keys.set(AxidKeys.of(new JWKSet(otherKeySameKid.toPublicJWK())));
        assertThatThrownBy(() -> cache.verify(token)).isInstanceOfSatisfying(AxidException.class,
                e -> assertThat(e.reason()).isEqualTo(RejectReason.AXID_BAD_SIGNATURE));
        // The key is removed (revoked): refused at once, not when the token expires.
        keys.set(AxidKeys.of(new JWKSet(List.<com.nimbusds.jose.jwk.JWK>of(key.toPublicJWK(), other.toPublicJWK()))));
        assertThat(onAnotherThread(() -> cache.verify(token)).identity()).isEqualTo(first.identity());
        keys.set(AxidKeys.of(new JWKSet(other.toPublicJWK())));
        assertThatThrownBy(() -> onAnotherThread(() -> cache.verify(token))).hasRootCauseInstanceOf(AxidException.class)
                .rootCause().satisfies(e -> assertThat(((AxidException) e).reason()).isEqualTo(RejectReason.AXID_UNKNOWN_KEY));
        assertThatThrownBy(() -> cache.verify(token)).isInstanceOfSatisfying(AxidException.class,
                e -> assertThat(e.reason()).isEqualTo(RejectReason.AXID_UNKNOWN_KEY));
    }

    private interface Verification {
        VerifiedAxid run() throws AxidException;
    }

    /** On a fresh thread: no last token of its own, so the lookup goes to the shared cache. */
    private static VerifiedAxid onAnotherThread(Verification verification) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return verification.run();
            } catch (AxidException e) {
                throw new IllegalStateException(e);
            }
        }, runnable -> new Thread(runnable).start()).join();
    }

    private static String unsigned(String headerJson) {
        String header = Base64URL.encode(headerJson.getBytes(StandardCharsets.UTF_8)).toString();
        String payload = Base64URL.encode(AxidTokens.validClaims(NOW).build().toString().getBytes(StandardCharsets.UTF_8)).toString();
        return header + "." + payload + ".";
    }

    private static String hs256WithPublicKey() {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").type(JOSEObjectType.JWT).build(),
                    AxidTokens.validClaims(NOW).build());
            jwt.sign(new MACSigner(key.getX().decode()));
            return jwt.serialize();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String tamper(String token) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8).replace("acme", "evil");
        return parts[0] + "." + Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    private static String insertIntoSignature(String token, String text) {
        int at = token.lastIndexOf('.') + 10;
        return token.substring(0, at) + text + token.substring(at);
    }

    /** The same signature bytes with the last character's lowest (unused) bit flipped: Nimbus decodes both alike. */
    private static String flipUnusedBit(String token) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = token.charAt(token.length() - 1);
        char flipped = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        String variant = token.substring(0, token.length() - 1) + flipped;
        assertThat(new Base64URL(variant.substring(variant.lastIndexOf('.') + 1)).decode())
                .isEqualTo(new Base64URL(token.substring(token.lastIndexOf('.') + 1)).decode());
        return variant;
    }

    private static final String RAW_HEADER = "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"typ\":\"JWT\"}";

    /** The valid claims as JSON text, issued at NOW, with the given exp (raw JSON). */
    private static String rawPayload(String expJson) {
        long iat = NOW.getEpochSecond();
        return "{\"iss\":\"" + AxidTokens.ISSUER + "\",\"aud\":\"" + AxidTokens.AUDIENCE + "\",\"sub\":\"user-7\",\"iat\":" + iat
                + ",\"exp\":" + expJson + ",\"jti\":\"j\",\"tenant\":\"acme\",\"agent\":\"planner\",\"run\":\"r\",\"parent\":\"p\",\"tree\":\"t\"}";
    }

    /** The same token with the signature's S replaced by S + L (the group order), which a lax verifier accepts. */
    private static String malleate(String token) {
        String[] parts = token.split("\\.");
        byte[] signature = new Base64URL(parts[2]).decode();
        byte[] s = new byte[32];
        for (int i = 0; i < 32; i++) {
            s[i] = signature[63 - i]; // little-endian to big-endian
        }
        BigInteger order = BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));
        byte[] sPlusL = new BigInteger(1, s).add(order).toByteArray();
        for (int i = 0; i < 32; i++) {
            signature[32 + i] = i < sPlusL.length ? sPlusL[sPlusL.length - 1 - i] : 0;
        }
        String other = parts[0] + "." + parts[1] + "." + Base64URL.encode(signature);
        assertThat(other).isNotEqualTo(token);
        return other;
    }

    private static String stripSignature(String token) {
        return token.substring(0, token.lastIndexOf('.') + 1);
    }
}
