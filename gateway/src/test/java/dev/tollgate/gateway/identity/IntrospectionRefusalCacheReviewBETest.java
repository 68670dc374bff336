package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.gateway.config.OAuthConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BE: the introspection answers cache (OAuthIntrospection#answers) keeps each refusal under the raw token, up to
 * 10,000 entries, and never lets one go by time: {@code until} (10 s for a refusal) is checked only when the same token
 * is asked about again, and the cache has no time-based expiry, so an entry leaves only when 10,000 newer ones push it out.
 * A token is whatever the caller puts in its Authorization header (up to Vert.x's 8 KiB of headers): one unauthenticated
 * client sending 10,000 made-up 6,000-character tokens leaves some 60 MB of them on the heap of every introspection
 * route, for good (the README sizes the heap at -Xmx256m for 8,000 streams), and pushes every user's cached principal
 * out (each user's next call costs a round trip again).
 *
 * <p>Probe: the characters of the tokens the cache still holds one hour after 10,000 such refusals (a mutable clock; the
 * authorization server answers {@code {"active": false}}). Expected: none of these long-expired refusals kept (under
 * 1 MB). Observed: all 10,000 (60 million characters).
 */
class IntrospectionRefusalCacheReviewBETest {

    private static final int TOKENS = 10_000;
    private static final int TOKEN_CHARS = 6_000;

    private HttpServer authorizationServer;
    private final AtomicInteger asked = new AtomicInteger();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T09:00:00Z"));

    @BeforeEach
    void start() throws Exception {
        authorizationServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        authorizationServer.setExecutor(Executors.newFixedThreadPool(4));
        authorizationServer.createContext("/introspect", exchange -> {
            exchange.getRequestBody().readAllBytes();
            asked.incrementAndGet();
            byte[] body = "{\"active\":false}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        authorizationServer.start();
    }

    @AfterEach
    void stop() {
        authorizationServer.stop(0);
    }

    @Test
    void refusalsLongExpiredAreNotKept() throws Exception {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        URI introspect = URI.create("http://127.0.0.1:" + authorizationServer.getAddress().getPort() + "/introspect");
        OAuthIntrospection introspection = new OAuthIntrospection(new OAuthConfig(URI.create("https://gw.example/mcp"),
                URI.create("https://as.example"), null, List.of(), null, OAuthConfig.DEFAULT_CLOCK_SKEW, null, null,
                new OAuthConfig.Introspection(introspect, "gw", "secret"), null, null), clock);
        String padding = "x".repeat(TOKEN_CHARS - 6);
        for (int batch = 0; batch < TOKENS; batch += 50) {
            List<CompletableFuture<?>> inFlight = new ArrayList<>();
            for (int i = batch; i < batch + 50; i++) {
                inFlight.add(introspection.introspect(String.format("%06d", i) + padding).handle((principal, refused) -> null));
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        }
        assertThat(asked.get()).as("control: every made-up token was introspected (and refused)").isEqualTo(TOKENS);

        now.set(now.get().plus(Duration.ofHours(1)));
        long heldChars = heldTokenChars(introspection);

        assertThat(heldChars).as("characters of tokens refused an hour ago still held by the introspection cache")
                .isLessThan(1_000_000);
    }

    @SuppressWarnings("unchecked")
    private static long heldTokenChars(OAuthIntrospection introspection) throws Exception {
        var field = OAuthIntrospection.class.getDeclaredField("answers");
        field.setAccessible(true);
        Cache<String, ?> answers = (Cache<String, ?>) field.get(introspection);
        answers.cleanUp();
        return answers.asMap().keySet().stream().mapToLong(String::length).sum();
    }
}
