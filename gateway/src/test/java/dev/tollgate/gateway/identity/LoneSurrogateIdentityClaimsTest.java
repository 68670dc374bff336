package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.errors.RejectReason;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review BR: JSON may spell an unpaired UTF-16 surrogate ({@code "alice\ud800"}), which the token parsers read into a Java
 * String as it is; every key the gateway builds as UTF-8 bytes would read it as {@code "alice?"}, another caller. Such a
 * claim naming who acts is refused wherever a caller's identity is read: the AXID ({@code axid_malformed}), an OAuth JWT
 * and an introspection answer ({@code oauth_token_invalid}). A paired surrogate (an emoji) is text, and passes.
 */
class LoneSurrogateIdentityClaimsTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final String HEADER = "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"typ\":\"JWT\"}";
    /** A marker value swapped for the JSON escapes under test (Nimbus would write a lone surrogate as '?'). */
    private static final String MARK = "MARKED-VALUE";
    private static final String EMOJI = "\\ud83d\\ude00";

    private static OctetKeyPair axidKey;
    private static AxidVerifier axid;

    private static RSAKey oauthKey;
    private static HttpServer jwks;
    private static OAuthKeys oauthKeys;
    private static OAuthVerifier oauth;
    private static final URI ISSUER = URI.create("https://as.test");
    private static final URI RESOURCE = URI.create("https://gateway.test/mcp");

    @BeforeAll
    static void start() throws Exception {
        axidKey = DevAxid.newKey("k1");
        axid = new AxidVerifier(AxidVerifierTest.config(), new JWKSet(axidKey.toPublicJWK()));
        oauthKey = new RSAKeyGenerator(2048).keyID("as-1").generate();
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new JWKSet(oauthKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        oauthKeys = OAuthKeys.load(ISSUER, URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks"), Duration.ofHours(24),
                Clock.systemUTC());
        oauth = new OAuthVerifier(new OAuthConfig(RESOURCE, ISSUER, null, List.of(), null, Duration.ofSeconds(30), null, null, null, null,
                Duration.ofHours(24)), oauthKeys, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        oauthKeys.close();
        jwks.stop(0);
    }

    // --- AXID ---

    private static String axidWith(String claim, String escapedValue) {
        String payload = AxidTokens.validClaims(NOW).claim(claim, MARK).build().toString();
        assertThat(payload).contains("\"" + MARK + "\"");
        return AxidTokens.signRaw(axidKey, HEADER, payload.replace(MARK, escapedValue));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tenant", "agent", "run", "sub", "parent", "tree", "jti"})
    void anAxidClaimHoldingAnUnpairedSurrogateIsMalformed(String claim) throws Exception {
        for (String lone : List.of("alice\\ud800", "alice\\udfff", "\\ud800", "a\\udc00\\ud800b", "alice\\ud83d")) {
            assertThatThrownBy(() -> axid.verify(axidWith(claim, lone), NOW)).as("%s = \"%s\"", claim, lone)
                    .isInstanceOfSatisfying(AxidException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.AXID_MALFORMED));
        }
        // Control: the same token with "alice?" or a paired surrogate (an emoji) is accepted, and read as written.
        assertThat(axid.verify(axidWith(claim, "alice?"), NOW).identity()).isNotNull();
        VerifiedAxid paired = axid.verify(axidWith(claim, "alice" + EMOJI), NOW);
        assertThat(claim.equals("jti") ? paired.jti() : paired.identity().claim(claim)).isEqualTo("alice\ud83d\ude00");
    }

    // --- OAuth JWT ---

    private static String jwtWith(String claim, String escapedValue) throws Exception {
        long now = Instant.now().getEpochSecond();
        StringBuilder payload = new StringBuilder("{\"aud\":\"" + RESOURCE + "\",\"iat\":" + now + ",\"exp\":" + (now + 600));
        for (String name : List.of("iss", "sub", "client_id", "azp")) {
            if (name.equals("client_id") && claim.equals("azp")) {
                continue; // read only without a client_id
            }
            String value = name.equals(claim) ? escapedValue : name.equals("iss") ? ISSUER.toString() : name.equals("sub") ? "alice" : "app";
            payload.append(",\"").append(name).append("\":\"").append(value).append('"');
        }
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(oauthKey.getKeyID()).type(JOSEObjectType.JWT).build(),
                new Payload(payload.append('}').toString()));
        jws.sign(new RSASSASigner(oauthKey));
        return jws.serialize();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sub", "client_id", "azp"})
    void anOAuthJwtNamingItsCallerWithAnUnpairedSurrogateIsRefused(String claim) throws Exception {
        for (String lone : List.of("alice\\ud800", "alice\\udfff")) {
            assertThatThrownBy(() -> oauth.verify(jwtWith(claim, lone))).as("%s = \"%s\"", claim, lone)
                    .isInstanceOfSatisfying(OAuthVerifier.Rejected.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.OAUTH_TOKEN_INVALID))
                    .hasMessageContaining("unpaired");
        }
        OAuthPrincipal paired = oauth.verify(jwtWith(claim, "alice" + EMOJI));
        assertThat(claim.equals("sub") ? paired.subject() : paired.clientId()).isEqualTo("alice\ud83d\ude00");
    }

    @Test
    void anOAuthJwtWhoseIssuerHoldsAnUnpairedSurrogateIsRefused() {
        assertThatThrownBy(() -> oauth.verify(jwtWith("iss", ISSUER + "\\ud800")))
                .isInstanceOfSatisfying(OAuthVerifier.Rejected.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.OAUTH_TOKEN_INVALID));
    }

    // --- Introspection answers ---

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OAuthIntrospection introspection = new OAuthIntrospection(new OAuthConfig(RESOURCE, ISSUER, null, List.of(), null,
            OAuthConfig.DEFAULT_CLOCK_SKEW, null, null, new OAuthConfig.Introspection(URI.create("https://as.test/introspect"), "gw", "secret"),
            null, null), Clock.systemUTC());

    private static String answer(String member, String escapedValue) {
        StringBuilder out = new StringBuilder("{\"active\":true,\"aud\":\"" + RESOURCE + "\",\"exp\":" + (NOW.getEpochSecond() + 600));
        for (String name : List.of("iss", "sub", "client_id", "username")) {
            String value = name.equals(member) ? escapedValue : name.equals("iss") ? ISSUER.toString() : "alice";
            out.append(",\"").append(name).append("\":\"").append(value).append('"');
        }
        return out.append('}').toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sub", "client_id", "username", "iss"})
    void anIntrospectionAnswerNamingItsCallerWithAnUnpairedSurrogateIsRefused(String member) throws Exception {
        for (String lone : List.of("alice\\ud800", "alice\\udfff")) {
            String answer = answer(member, member.equals("iss") ? ISSUER + lone : lone);
            assertThatThrownBy(() -> introspection.check(JSON.readTree(answer), NOW)).as(answer)
                    .isInstanceOfSatisfying(OAuthVerifier.Rejected.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.OAUTH_TOKEN_INVALID))
                    .hasMessageContaining("unpaired");
        }
        if (!member.equals("iss")) {
            OAuthPrincipal paired = introspection.check(JSON.readTree(answer(member, "alice" + EMOJI)), NOW);
            Object read = switch (member) {
                case "sub" -> paired.subject();
                case "client_id" -> paired.clientId();
                default -> paired.claims().get("username");
            };
            assertThat(read).isEqualTo("alice\ud83d\ude00");
        }
    }
}
