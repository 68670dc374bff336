package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.gateway.config.OAuthConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review BH, finding 4. RFC 9068 (JWT profile for OAuth 2.0 access tokens), section 2.1: access tokens MUST carry
 * {@code typ: at+jwt}, and resource servers MUST check it (section 4), precisely so that an ID token or another JWT of the
 * same issuer is not taken as an access token. The gateway's OAuth verifier runs Nimbus's DefaultJWTProcessor with its
 * default type verifier, which accepts only {@code typ: JWT} or none: every RFC 9068 access token is refused
 * ({@code oauth_token_invalid}), while an ID-token-shaped JWT ({@code typ: JWT}) with the route's audience passes.
 */
class OAuthAccessTokenTypeReviewBHTest {

    @Test
    void anRfc9068AccessTokenIsAccepted() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("as-1").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        URI issuer = URI.create("https://as.test");
        URI resource = URI.create("https://gateway.test/mcp");
        OAuthKeys keys = OAuthKeys.load(issuer, URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks"),
                Duration.ofHours(24), Clock.systemUTC());
        try {
            OAuthVerifier verifier = new OAuthVerifier(new OAuthConfig(resource, issuer, null, List.of("tools"), null,
                    Duration.ofSeconds(30), null, null, null, null, Duration.ofHours(24)), keys, Clock.systemUTC());
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer.toString()).audience(resource.toString()).subject("alice")
                    .claim("client_id", "app").claim("scope", "tools").jwtID("t-1")
                    .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(10)))).build();

            // Control: the same claims with typ JWT are accepted.
            assertThat(verifier.verify(sign(key, JOSEObjectType.JWT, claims)).subject()).isEqualTo("alice");

            OAuthPrincipal principal;
            try {
                principal = verifier.verify(sign(key, new JOSEObjectType("at+jwt"), claims));
            } catch (OAuthVerifier.Rejected e) {
                throw new AssertionError("an RFC 9068 access token (typ at+jwt) was refused: " + e.reason() + ": " + e.getMessage(), e);
            }
            assertThat(principal.subject()).isEqualTo("alice");
        } finally {
            keys.close();
            jwks.stop(0);
        }
    }

    private static String sign(RSAKey key, JOSEObjectType type, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(type).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
