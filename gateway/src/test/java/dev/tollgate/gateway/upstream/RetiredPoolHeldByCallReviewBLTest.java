package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.routing.Route;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BL (6584991a): a call holds the pool it took when it started (UpstreamCall.client, handed on to
 * ServerRequestAnswers) for as long as it runs: its retries on another instance and, on an SSE stream that lives for
 * minutes or hours, the answers the gateway POSTs to the upstream for server-to-client requests policy denied. Once the
 * pool is retired (two sweeps after a reload changed the route, 30-60 s) every new request on that agent fails
 * ("client is closed"), although the call is still in flight and its grace (24 h) says it may go on.
 * Real Vert.x server as the upstream.
 */
class RetiredPoolHeldByCallReviewBLTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private HttpServer server;
    private final CompletableFuture<HttpServerResponse> streaming = new CompletableFuture<>();

    @BeforeEach
    void upstream() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/stream")) {
                request.response().setChunked(true).putHeader("content-type", "text/event-stream").write("event: message\ndata: {}\n\n");
                streaming.complete(request.response());
            } else {
                request.body().onSuccess(b -> request.response().setStatusCode(202).end());
            }
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCallStillInFlightCanStillSendOnThePoolItTookAfterThatPoolIsRetired() throws Exception {
        RouteConfig before = route("30s");
        RouteConfig after = route("45s");
        UpstreamClients clients = new UpstreamClients(vertx);
        // The call (UpstreamCall) takes its way to the pool once, when forwarded, and keeps it (since the fix: a RoutePool,
        // which looks the pool up at each request, where it held the HttpClientAgent itself).
        RoutePool held = clients.poolFor(Route.of(before));
        held.request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.GET).setPort(server.actualPort())
                .setHost("127.0.0.1").setURI("/stream")).compose(r -> r.send());
        streaming.get(10, TimeUnit.SECONDS);

        // A reload changes the route; two sweeps later its old pool is retired while the stream is still open.
        clients.retireAllBut(Set.of(after));
        assertThat(clients.retireAllBut(Set.of(after))).isEqualTo(1);

        // The upstream now sends a server-to-client request on the stream that policy denies: the gateway answers it
        // on the caller's behalf (ServerRequestAnswers) with the agent the call holds. Same for a retry on the next instance.
        CompletableFuture<Integer> answered = new CompletableFuture<>();
        io.vertx.core.Future<io.vertx.core.http.HttpClientRequest> request;
        try {
            request = held.request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.POST).setPort(server.actualPort())
                    .setHost("127.0.0.1").setURI("/mcp"));
        } catch (IllegalStateException e) {
            // Vert.x 5 throws ("Client is closed"): in UpstreamCall.attempt (a retry) and ServerRequestAnswers.answer this
            // escapes the callback, after inFlight counters were raised, and the call is left unanswered.
            request = io.vertx.core.Future.failedFuture(e);
        }
        request
                .compose(r -> r.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32600,\"message\":\"denied\"}}"))
                .map(HttpClientResponse::statusCode)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        answered.complete(ar.result());
                    } else {
                        answered.completeExceptionally(ar.cause());
                    }
                });
        assertThat(answered).as("the answer to the denied server request of a call still in flight reaches the upstream")
                .succeedsWithin(java.time.Duration.ofSeconds(10)).isEqualTo(202);
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
