package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BE: on a route whose tokens are introspected ({@code oauth.introspection}), every request bearing a token the
 * gateway has not cached starts its own POST to the authorization server (OAuthIntrospection.introspect), before any
 * concurrency limit applies (OAuthStage runs before ConcurrencyStage) and with no bound of its own: one unauthenticated
 * client with made-up tokens has as many introspections (and outbound connections: java.net.http opens one per request)
 * in flight at once as it sends requests. The README says an unauthenticated flood is limited per address
 * ({@code max-concurrent-calls-per-caller}, the caller being its IP) and the route's {@code max-concurrent-calls} bounds
 * the calls in flight; neither holds for the introspections, and the authorization server every user of the route
 * depends on takes the whole flood (its slowness or refusal then fails every user's call: fail closed).
 *
 * <p>Input: route {@code max-concurrent-calls: 4, max-concurrent-calls-per-caller: 2}; one client sends 40 calls at
 * once, each with another made-up bearer token; the introspection endpoint holds what it gets. Expected: at most 4
 * introspections in flight. Observed: all 40.
 */
class IntrospectionFloodReviewBETest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
    private static final int FLOOD = 40;

    @TempDir
    Path dir;
    private Vertx vertx;
    private MockOAuth2Server authorizationServer;
    private RecordingUpstream upstream;
    private HttpServer introspection;
    private RunningGateway gateway;
    private HttpClient client;
    private final List<HttpServerRequest> heldIntrospections = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}"));
        // The authorization server's introspection endpoint: counts what it is asked at once and holds it.
        introspection = vertx.createHttpServer().requestHandler(request -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            request.connection().closeHandler(v -> inFlight.decrementAndGet());
            heldIntrospections.add(request);
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        String issuer = authorizationServer.issuerUrl("as").toString().replaceAll("/+$", "");
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: opaque
                    path: /opaque
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    max-concurrent-calls: 4
                    max-concurrent-calls-per-caller: 2
                    oauth:
                      resource: "http://127.0.0.1:8080/opaque"
                      issuer: "%s"
                      introspection: {url: "http://127.0.0.1:%d/introspect", client-id: tollgate, client-secret: gateway-secret}
                """.formatted(dir.resolve("policies"), upstream.url("/mcp"), issuer, introspection.actualPort()));
        client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(FLOOD));
    }

    @AfterEach
    void stop() throws Exception {
        heldIntrospections.forEach(r -> r.connection().close());
        client.close();
        gateway.close();
        introspection.close();
        upstream.close();
        authorizationServer.shutdown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void oneClientWithMadeUpTokensHasNoMoreIntrospectionsInFlightThanTheRouteAdmitsCalls() {
        AtomicInteger answered = new AtomicInteger();
        for (int i = 0; i < FLOOD; i++) {
            // The body is asked for as the head arrives (see TestHttp.exchange): asked for later, it could never complete.
            TestHttp.readWhole(client, TestHttp.mcpPost(gateway.port(), "/opaque").putHeader("Authorization", "Bearer made-up-token-" + i),
                            Buffer.buffer(CALL))
                    .onComplete(ar -> answered.incrementAndGet());
        }

        // Until every client request is answered, or every one is being introspected at once (bounded wait).
        Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> answered.get() == FLOOD || mostInFlight.get() == FLOOD);

        assertThat(mostInFlight.get())
                .as("introspection requests in flight at once for one unauthenticated client (route max-concurrent-calls 4, per caller 2)")
                .isLessThanOrEqualTo(4);
        assertThat(upstream.received()).as("nothing forwarded").isEmpty();
    }
}
