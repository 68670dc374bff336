package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * AXID keys from a JWKS URL survive failed fetches (a key server outage must not stop every agent), but only for
 * {@code jwks-max-stale}: whoever can block the fetch must not keep a withdrawn key trusted for good. The refresh
 * timer's tick is run by hand with a clock the test moves; the JWKS is served over loopback.
 */
class RemoteJwksStalenessTest {

    private static final Duration MAX_STALE = Duration.ofHours(24);

    @Test
    void keysAreKeptThroughFailedFetchesForMaxStaleThenDroppedUntilAFetchSucceeds() throws Exception {
        AtomicBoolean unavailable = new AtomicBoolean();
        byte[] published = new JWKSet(DevAxid.newKey("k1").toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            exchange.sendResponseHeaders(unavailable.get() ? 503 : 200, unavailable.get() ? -1 : published.length);
            if (!unavailable.get()) {
                exchange.getResponseBody().write(published);
            }
            exchange.close();
        });
        server.start();
        Instant start = Instant.parse("2026-12-04T10:00:00Z");
        dev.tollgate.gateway.support.MovableClock moving = new dev.tollgate.gateway.support.MovableClock(start);
        try (RemoteJwks source = new RemoteJwks(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks"),
                Duration.ofMinutes(5), Duration.ofSeconds(30), MAX_STALE, moving)) {
            assertThat(source.fetchNow()).isTrue();
            unavailable.set(true);

            moving.set(start.plus(MAX_STALE).minusSeconds(60));
            source.refresh();
            assertThat(source.keys().byKid()).as("an outage shorter than the bound keeps the keys").containsOnlyKeys("k1");

            moving.set(start.plus(MAX_STALE).plusSeconds(60));
            source.refresh();
            assertThat(source.keys().byKid()).as("past the bound, no key is trusted").isEmpty();

            unavailable.set(false);
            source.refresh();
            assertThat(source.keys().byKid()).as("the next fetch that succeeds brings them back").containsOnlyKeys("k1");
        } finally {
            server.stop(0);
        }
    }
}
