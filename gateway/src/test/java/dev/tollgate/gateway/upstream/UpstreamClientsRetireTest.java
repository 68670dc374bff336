package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that changes a route leaves its old pool behind: it is retired at the second sweep that finds no serving
 * route for it, its idle connections closed at once and a stream in flight on it left to finish (real Vert.x server).
 */
class UpstreamClientsRetireTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private HttpServer server;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final CompletableFuture<HttpServerResponse> streaming = new CompletableFuture<>();

    @BeforeEach
    void upstream() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer()
                .connectionHandler(connection -> {
                    opened.incrementAndGet();
                    connection.closeHandler(v -> closed.incrementAndGet());
                })
                .requestHandler(request -> {
                    if (request.path().equals("/stream")) {
                        request.response().setChunked(true).write("first;");
                        streaming.complete(request.response());
                    } else {
                        request.response().end("ok");
                    }
                });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPoolNoServingRouteHasIsRetiredAtTheSecondSweepAndItsStreamFinishes() throws Exception {
        RouteConfig before = route("30s");
        RouteConfig after = route("45s");
        UpstreamClients clients = new UpstreamClients(vertx);
        HttpClientAgent old = clients.clientFor(Route.of(before));
        CompletableFuture<String> streamBody = new CompletableFuture<>();
        // The bodies are read as their heads arrive (see TestHttp.exchange): asked for later, "first;" could be missed.
        TestHttp.readWhole(old, new RequestOptions().setMethod(HttpMethod.GET).setPort(server.actualPort()).setHost("127.0.0.1").setURI("/stream"),
                        null, (response, whole) -> whole)
                .onComplete(body -> {
                    if (body.succeeded()) {
                        streamBody.complete(body.result().toString());
                    } else {
                        streamBody.completeExceptionally(body.cause());
                    }
                });
        HttpServerResponse stream = streaming.get(10, TimeUnit.SECONDS);
        String idle = TestHttp.readWhole(old, new RequestOptions().setMethod(HttpMethod.GET).setPort(server.actualPort()).setHost("127.0.0.1")
                        .setURI("/idle"), null, (response, whole) -> whole)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
        assertThat(idle).isEqualTo("ok");
        assertThat(opened).as("one connection streaming, one idle in the pool").hasValue(2);

        // The reload: the route now has other settings, so calls take a new pool.
        assertThat(clients.retireAllBut(Set.of(after))).as("the first sweep that misses it may still see a call begun before").isZero();
        assertThat(clients.pools()).isEqualTo(1);
        assertThat(closed).hasValue(0);
        assertThat(clients.retireAllBut(Set.of(after))).isEqualTo(1);
        assertThat(clients.pools()).isZero();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(closed).as("the idle connection").hasValue(1));
        assertThat(streamBody).as("the stream in flight is not cut").isNotDone();
        vertx.runOnContext(v -> stream.end("last"));
        assertThat(streamBody.get(10, TimeUnit.SECONDS)).isEqualTo("first;last");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(closed).as("the stream's connection, once it ended").hasValue(2));
        assertThat(clients.clientFor(Route.of(before))).as("a late call under the old route gets a fresh pool, not the retired one")
                .isNotSameAs(old);
    }

    @Test
    void aPoolServedAgainBeforeTheSecondSweepIsKept() throws Exception {
        RouteConfig kept = route("30s");
        UpstreamClients clients = new UpstreamClients(vertx);
        HttpClientAgent pool = clients.clientFor(Route.of(kept));

        assertThat(clients.retireAllBut(Set.of())).isZero();
        assertThat(clients.retireAllBut(Set.of(kept))).as("a reload back to it").isZero();
        assertThat(clients.retireAllBut(Set.of())).as("missed once again: the count starts over").isZero();
        assertThat(clients.retireAllBut(Set.of(kept))).isZero();
        assertThat(clients.retireAllBut(Set.of(kept))).isZero();

        assertThat(clients.pools()).isEqualTo(1);
        assertThat(clients.clientFor(Route.of(kept))).isSameAs(pool);
    }

    private RouteConfig route(String responseTimeout) throws Exception {
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                policies: {directory: %s}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    response-timeout: %s
                    upstream: "http://127.0.0.1:%d/mcp"
                """.formatted(dir, responseTimeout, server.actualPort());
        return ConfigLoader.parse(yaml, "t.yaml", Map.of()).routes().get(0);
    }
}
