package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.errors.RejectReason;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fix X (review BE): one introspection in flight per token, a bounded number per route and per client address. */
class OAuthIntrospectionInFlightTest {

    private HttpServer authorizationServer;
    private final AtomicInteger asked = new AtomicInteger();
    private final List<HttpExchange> held = new CopyOnWriteArrayList<>();
    private OAuthIntrospection introspection;

    @BeforeEach
    void start() throws Exception {
        authorizationServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        authorizationServer.setExecutor(Executors.newCachedThreadPool());
        authorizationServer.createContext("/introspect", exchange -> {
            exchange.getRequestBody().readAllBytes();
            asked.incrementAndGet();
            held.add(exchange); // answered by the test
        });
        authorizationServer.start();
        URI introspect = URI.create("http://127.0.0.1:" + authorizationServer.getAddress().getPort() + "/introspect");
        introspection = new OAuthIntrospection(new OAuthConfig(URI.create("https://gw.example/mcp"),
                URI.create("https://as.example"), null, List.of(), null, OAuthConfig.DEFAULT_CLOCK_SKEW, null, null,
                new OAuthConfig.Introspection(introspect, "gw", "secret"), null, null), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        authorizationServer.stop(0);
    }

    private void answerAll() {
        for (HttpExchange exchange : held) {
            held.remove(exchange);
            try {
                byte[] body = ("{\"active\":true,\"sub\":\"alice\",\"aud\":\"https://gw.example/mcp\",\"exp\":"
                        + (System.currentTimeMillis() / 1000 + 600) + "}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void concurrentLookupsOfOneTokenShareOneIntrospection() throws Exception {
        OAuthIntrospection.Limits limits = new OAuthIntrospection.Limits(4, 2);
        List<CompletableFuture<OAuthPrincipal>> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(introspection.introspect("same-token", "ip:10.0.0." + i, limits));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);
        assertThat(introspection.inFlight()).isEqualTo(1);
        answerAll();
        for (CompletableFuture<OAuthPrincipal> each : waiting) {
            assertThat(each.get(5, TimeUnit.SECONDS).subject()).isEqualTo("alice");
        }
        assertThat(asked.get()).as("one introspection for twenty concurrent calls with one token").isEqualTo(1);
        assertThat(introspection.inFlight()).isZero();
        // Cached now: no round trip, and no limit applies.
        assertThat(introspection.introspect("same-token", "ip:10.0.0.1", new OAuthIntrospection.Limits(0, 0))
                .get(5, TimeUnit.SECONDS).subject()).isEqualTo("alice");
        assertThat(asked.get()).isEqualTo(1);
    }

    @Test
    void introspectionsInFlightAreBoundedPerAddressAndPerRoute() throws Exception {
        OAuthIntrospection.Limits limits = new OAuthIntrospection.Limits(3, 2);
        CompletableFuture<OAuthPrincipal> a1 = introspection.introspect("a1", "ip:10.0.0.1", limits);
        CompletableFuture<OAuthPrincipal> a2 = introspection.introspect("a2", "ip:10.0.0.1", limits);
        CompletableFuture<OAuthPrincipal> a3 = introspection.introspect("a3", "ip:10.0.0.1", limits);
        assertThat(reason(a3)).isEqualTo(RejectReason.CALLER_CONCURRENCY_LIMIT);
        CompletableFuture<OAuthPrincipal> b1 = introspection.introspect("b1", "ip:10.0.0.2", limits);
        CompletableFuture<OAuthPrincipal> c1 = introspection.introspect("c1", "ip:10.0.0.3", limits);
        assertThat(reason(c1)).isEqualTo(RejectReason.ROUTE_CONCURRENCY_LIMIT);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 3);
        answerAll();
        for (CompletableFuture<OAuthPrincipal> each : List.of(a1, a2, b1)) {
            assertThat(each.get(5, TimeUnit.SECONDS).subject()).isEqualTo("alice");
        }
        assertThat(introspection.inFlight()).isZero();
        // The slots are given back: the address may introspect again.
        CompletableFuture<OAuthPrincipal> again = introspection.introspect("a3", "ip:10.0.0.1", limits);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);
        answerAll();
        assertThat(again.get(5, TimeUnit.SECONDS).subject()).isEqualTo("alice");
        assertThat(asked.get()).isEqualTo(4);
    }

    @Test
    void answersAreKeptUnderTheTokensDigestUntilTheirOwnDeadline() throws Exception {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now = new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.now());
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return now.get();
            }
        };
        URI introspect = URI.create("http://127.0.0.1:" + authorizationServer.getAddress().getPort() + "/introspect");
        OAuthIntrospection timed = new OAuthIntrospection(new OAuthConfig(URI.create("https://gw.example/mcp"),
                URI.create("https://as.example"), null, List.of(), null, OAuthConfig.DEFAULT_CLOCK_SKEW, null, null,
                new OAuthConfig.Introspection(introspect, "gw", "secret"), null, null), clock);
        String token = "t".repeat(5_000);
        CompletableFuture<OAuthPrincipal> first = timed.introspect(token);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);
        answerAll(); // active until now + 600 s by the system clock: cached at most 5 minutes
        first.get(5, TimeUnit.SECONDS);
        var field = OAuthIntrospection.class.getDeclaredField("answers");
        field.setAccessible(true);
        @SuppressWarnings("unchecked")
        com.github.benmanes.caffeine.cache.Cache<String, ?> answers = (com.github.benmanes.caffeine.cache.Cache<String, ?>) field.get(timed);
        assertThat(answers.asMap().keySet()).containsExactly(OAuthIntrospection.digest(token));
        now.set(now.get().plus(Duration.ofMinutes(4)));
        answers.cleanUp();
        assertThat(answers.estimatedSize()).as("still valid after 4 minutes").isEqualTo(1);
        now.set(now.get().plus(Duration.ofMinutes(2)));
        answers.cleanUp();
        assertThat(answers.asMap()).as("dropped at its own deadline, 5 minutes").isEmpty();
    }

    private static RejectReason reason(CompletableFuture<?> refused) {
        assertThat(refused).isCompletedExceptionally();
        try {
            refused.join();
            throw new AssertionError("not refused");
        } catch (CompletionException e) {
            return ((OAuthVerifier.Rejected) e.getCause()).reason();
        }
    }
}
