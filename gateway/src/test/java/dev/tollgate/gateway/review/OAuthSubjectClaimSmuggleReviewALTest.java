package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.identity.OAuthKeys;
import dev.tollgate.gateway.identity.OAuthPrincipal;
import dev.tollgate.gateway.identity.OAuthVerifier;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.TenantKey;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review AL, finding 1 (medium): CallerKey, TenantKey (and SealedSessions' session owner) take the OAuth subject from the
 * identity claim {@code oauth_sub}. OAuthStage builds the claims as {@code principal.claims()} (every non-registered
 * claim of the bearer token) and puts {@code oauth_sub} over them only when the token has a registered {@code sub}. A
 * validly signed token with NO {@code sub} but a custom claim {@code "oauth_sub": "alice"} therefore keeps that claim,
 * and the gateway reads it as the authenticated subject alice: same TenantKey as alice (her rate-limit/concurrency/binding
 * shares), and with alice's client id the same CallerKey (her tasks, approvals, sealed cursors, sessions).
 * AxidVerifier already drops these names from AXID claims (review V); OAuthVerifier's REGISTERED set does not.
 * Since bd56622c the OAuth principal is the tenant behind a SPIFFE workload too, so the smuggled subject wins there as well.
 *
 * <p>Input: route issuer https://as.example, resource https://gateway.example/mcp. Alice's token: sub alice,
 * client_id app. Mallory's token (same AS; a subjectless client-credentials token with an attribute the AS copies in,
 * e.g. a client metadata or user-attribute mapper): no sub, client_id app, {@code oauth_sub: alice}.
 */
class OAuthSubjectClaimSmuggleReviewALTest {

    private static final URI RESOURCE = URI.create("https://gateway.example/mcp");
    private static final URI ISSUER = URI.create("https://as.example");

    private HttpServer server;
    private OAuthKeys keys;
    private RSAKey signing;
    private OAuthVerifier verifier;

    @BeforeEach
    void start() throws Exception {
        signing = new RSAKeyGenerator(2048).keyID("k1").generate();
        byte[] body = new JWKSet(List.<JWK>of(signing)).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        keys = OAuthKeys.load(ISSUER, URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks"),
                Duration.ofHours(24), Clock.systemUTC());
        verifier = new OAuthVerifier(new OAuthConfig(RESOURCE, ISSUER, null, List.of(), null, OAuthConfig.DEFAULT_CLOCK_SKEW,
                null, null, null, null, AxidConfig.DEFAULT_JWKS_MAX_STALE), keys, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        keys.close();
        server.stop(0);
    }

    private String token(JWTClaimsSet.Builder claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
                claims.issuer(ISSUER.toString()).audience(RESOURCE.toString())
                        .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build());
        jwt.sign(new RSASSASigner(signing));
        return jwt.serialize();
    }

    /** The identity OAuthStage hands to the rest of the pipeline (its private withPrincipal). */
    private static Identity asOAuthStageSees(OAuthPrincipal principal) throws Exception {
        Method with = Class.forName("dev.tollgate.gateway.pipeline.OAuthStage").getDeclaredMethod("withPrincipal", Identity.class,
                OAuthPrincipal.class, URI.class);
        with.setAccessible(true);
        return (Identity) with.invoke(null, Identity.ANONYMOUS, principal, ISSUER);
    }

    @Test
    void aTokenWithoutSubjectCannotNameItsSubjectInACustomClaim() throws Exception {
        OAuthPrincipal alice = verifier.verify(token(new JWTClaimsSet.Builder().subject("alice").claim("client_id", "app")));
        OAuthPrincipal mallory = verifier.verify(token(new JWTClaimsSet.Builder().claim("client_id", "app").claim("oauth_sub", "alice")));
        assertThat(mallory.subject()).as("the token has no sub").isNull();

        Identity aliceSeen = asOAuthStageSees(alice);
        Identity mallorySeen = asOAuthStageSees(mallory);
        assertThat(mallorySeen.claims()).as("a subjectless token's identity claims (oauth_sub is the authenticated subject's name)")
                .doesNotContainKey("oauth_sub");
        assertThat(TenantKey.of(mallorySeen)).as("mallory's tenant share vs alice's").isNotEqualTo(TenantKey.of(aliceSeen));
        assertThat(CallerKey.of(mallorySeen)).as("mallory's owner key vs alice's").isNotEqualTo(CallerKey.of(aliceSeen));
    }

    /** The AXID's claims read as axid.<name> on an OAuth route; a token's own claim of such a name does not stand in for them. */
    @Test
    void aTokensAxidPrefixedClaimDoesNotReplaceWhatTheAxidSaid() throws Exception {
        OAuthPrincipal bob = verifier.verify(token(new JWTClaimsSet.Builder().subject("bob").claim("axid.role", "admin").claim("role", "viewer")));
        Identity axid = new Identity(null, "acme", "planner", null, null, null, null, List.of(), Map.of("role", "analyst"));
        Method with = Class.forName("dev.tollgate.gateway.pipeline.OAuthStage").getDeclaredMethod("withPrincipal", Identity.class,
                OAuthPrincipal.class, URI.class);
        with.setAccessible(true);
        Identity seen = (Identity) with.invoke(null, axid, bob, ISSUER);

        assertThat(seen.claims()).containsEntry("axid.role", "analyst").containsEntry("role", "viewer");
    }

    /** Control: a token with a real sub keeps it, whatever custom oauth_sub it carries (the registered sub is put last). */
    @Test
    void controlARegisteredSubjectWins() throws Exception {
        OAuthPrincipal bob = verifier.verify(token(new JWTClaimsSet.Builder().subject("bob").claim("client_id", "app").claim("oauth_sub", "alice")));
        assertThat(asOAuthStageSees(bob).claims().get("oauth_sub")).isEqualTo("bob");
    }
}
