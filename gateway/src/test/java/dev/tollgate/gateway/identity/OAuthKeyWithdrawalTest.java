package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.tollgate.gateway.errors.RejectReason;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A verified bearer token is kept in a cache until it expires (an hour, typically). When the authorization server
 * withdraws the key that signed it (a compromised key, rotated out), the next fetch of its JWKS must stop the token,
 * not its expiry. The JWKS is served over loopback HTTP and fetched by the gateway's own OAuthKeys.
 */
class OAuthKeyWithdrawalTest {

    private static final URI RESOURCE = URI.create("https://gateway.example/mcp");
    private static final URI ISSUER = URI.create("https://as.example");
    private static final Duration MAX_STALE = Duration.ofHours(24);

    private final AtomicReference<String> published = new AtomicReference<>();
    /** The key server is down (or the fetch is blocked): every fetch answers 503. */
    private final java.util.concurrent.atomic.AtomicBoolean unavailable = new java.util.concurrent.atomic.AtomicBoolean();
    private final dev.tollgate.gateway.support.MovableClock clock = new dev.tollgate.gateway.support.MovableClock(
            Instant.parse("2026-12-04T10:00:00Z"));
    private HttpServer server;
    private OAuthKeys keys;
    private RSAKey signing;
    private RSAKey other;

    @BeforeEach
    void start() throws Exception {
        signing = new RSAKeyGenerator(2048).keyID("k1").generate();
        other = new RSAKeyGenerator(2048).keyID("k2").generate();
        publish(signing, other);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            if (unavailable.get()) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        keys = OAuthKeys.load(ISSUER, URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks"), MAX_STALE, clock);
    }

    @AfterEach
    void stop() {
        keys.close();
        server.stop(0);
    }

    private void publish(RSAKey... set) {
        published.set(new JWKSet(List.<JWK>of(set)).toPublicJWKSet().toString());
    }

    /** The authorization server's set as fetched now (the refetch an unknown key triggers, past its 30 s spacing). */
    private void refetch() {
        clock.advance(Duration.ofSeconds(31));
        assertThat(keys.refetchForUnknownKey().join()).isTrue();
    }

    private String token(RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER.toString()).audience(RESOURCE.toString()).subject("alice")
                        .expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1)))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void aCachedTokenIsRefusedOnceItsKeyIsWithdrawnAndKeptWhileItStays() throws Exception {
        OAuthVerifier verifier = new OAuthVerifier(new OAuthConfig(RESOURCE, ISSUER, null, List.of(), null,
                OAuthConfig.DEFAULT_CLOCK_SKEW, null, null, null, null, AxidConfig.DEFAULT_JWKS_MAX_STALE), keys, clock);
        String token = token(signing);
        assertThat(verifier.verify(token).subject()).isEqualTo("alice");

        publish(signing); // a refresh that keeps the key: the token stands
        refetch();
        assertThat(verifier.verify(token).subject()).isEqualTo("alice");

        publish(other); // the key is withdrawn
        refetch();
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(OAuthVerifier.Rejected.class,
                e -> assertThat(e.reason()).isEqualTo(RejectReason.OAUTH_UNKNOWN_KEY));
        assertThat(verifier.verify(token(other)).subject()).isEqualTo("alice");
    }

    @Test
    void keysAreKeptThroughFailedFetchesForMaxStaleThenDroppedUntilAFetchSucceeds() throws Exception {
        OAuthVerifier verifier = new OAuthVerifier(new OAuthConfig(RESOURCE, ISSUER, null, List.of(), null,
                OAuthConfig.DEFAULT_CLOCK_SKEW, null, null, null, null, MAX_STALE), keys, clock);
        unavailable.set(true);

        clock.advance(MAX_STALE.minus(Duration.ofMinutes(1)));
        keys.refresh();
        String token = token(signing);
        assertThat(verifier.verify(token).subject()).as("an outage shorter than the bound keeps the keys").isEqualTo("alice");

        clock.advance(Duration.ofMinutes(2));
        keys.refresh();
        assertThatThrownBy(() -> verifier.verify(token)).as("past the bound, a blocked fetch keeps no key trusted")
                .isInstanceOfSatisfying(OAuthVerifier.Rejected.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.OAUTH_UNKNOWN_KEY));

        unavailable.set(false);
        keys.refresh();
        assertThat(verifier.verify(token).subject()).as("the next fetch that succeeds brings them back").isEqualTo("alice");
    }
}
