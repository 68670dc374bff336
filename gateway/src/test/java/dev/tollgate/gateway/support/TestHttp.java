package dev.tollgate.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/** A real HTTP client for tests (Vert.x, so Host and hop-by-hop headers can be set freely). */
public final class TestHttp implements AutoCloseable {

    public record Reply(int status, MultiMap headers, Buffer body) {

        public JsonNode json() {
            try {
                return new ObjectMapper().readTree(body.getBytes());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public int errorCode() {
            return json().path("error").path("code").asInt();
        }

        public String reason() {
            return json().path("error").path("data").path("reason").asText();
        }
    }

    private final HttpClient vertxClient;
    private final java.net.http.HttpClient jdkClient = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public TestHttp(Vertx vertx) {
        this.vertxClient = vertx.createHttpClient();
    }

    /**
     * Sends a whole request and reads the whole answer with the JDK's HTTP client (a second, independent
     * client implementation; Host and Connection may be set because surefire allows those headers).
     */
    public Reply send(RequestOptions options, Buffer body) throws Exception {
        URI uri = URI.create("http://" + options.getHost() + ":" + options.getPort() + options.getURI());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(options.getMethod().name(), body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body.getBytes()));
        if (options.getHeaders() != null) {
            options.getHeaders().forEach(request::header);
        }
        HttpResponse<byte[]> response = jdkClient.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        response.headers().map().forEach(headers::add);
        return new Reply(response.statusCode(), headers, Buffer.buffer(response.body()));
    }

    /** POSTs a JSON body with the headers an MCP client sends. */
    public Reply postMcp(int port, String path, String json) throws Exception {
        return send(mcpPost(port, path), Buffer.buffer(json));
    }

    public static RequestOptions mcpPost(int port, String path) {
        return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("Content-Type", "application/json")
                .putHeader("Accept", "application/json, text/event-stream");
    }

    /**
     * Sends a request through a Vert.x client and hands its answer to {@code atHead} as the answer's head arrives, on the
     * client's event loop, before any of its body can be read. Read a Vert.x answer only through this (or the helpers
     * below), never by chaining {@code request(..).compose(req -> req.send(..)).compose(resp -> resp.body())} (or
     * {@code .onSuccess(resp -> resp.handler(..))}) on the test thread.
     *
     * <p>Why: Vert.x hands an answer's chunks and end to the handlers the response has when they are read and keeps nothing,
     * so a {@code body()} or {@code handler(..)} set after that never sees them. Chained on the test thread, the last
     * callback is attached to an already completed future whenever that thread is descheduled for the whole exchange (a
     * loaded machine): Vert.x then runs it in a later event-loop task, after the read that delivered the body and end to no
     * handler, and the test waits for an answer the gateway did give (flake FL). Here the callback is attached in the
     * callback that sends, on the client's event loop, so it is in place before any of the answer can be read.
     *
     * @param body the request's body, or null for none
     */
    public static <T> Future<T> exchange(HttpClient client, RequestOptions options, Buffer body,
            Function<HttpClientResponse, Future<T>> atHead) {
        return client.request(options).compose(req -> (body == null ? req.send() : req.send(body)).compose(atHead));
    }

    /** The whole answer (status, headers, body), read as it arrives: see {@link #exchange}. */
    public static Future<Reply> readWhole(HttpClient client, RequestOptions options, Buffer body) {
        return readWhole(client, options, body, (resp, whole) -> new Reply(resp.statusCode(), resp.headers(), whole));
    }

    /** The whole answer as {@code reading} makes it of the response and its body, read as it arrives: see {@link #exchange}. */
    public static <T> Future<T> readWhole(HttpClient client, RequestOptions options, Buffer body,
            BiFunction<HttpClientResponse, Buffer, T> reading) {
        return exchange(client, options, body, resp -> resp.body().map(whole -> reading.apply(resp, whole)));
    }

    /**
     * A streamed answer: {@code handlers} sets the response's handlers (chunk, end) as its head arrives, before its first
     * chunk can be read (see {@link #exchange}). The future completes with the response once they are set.
     */
    public static Future<HttpClientResponse> readStream(HttpClient client, RequestOptions options, Buffer body,
            Handler<HttpClientResponse> handlers) {
        return exchange(client, options, body, resp -> {
            handlers.handle(resp);
            return Future.succeededFuture(resp);
        });
    }

    /**
     * A Vert.x client, for tests that read a streamed answer chunk by chunk or drop the connection. Read its answers through
     * {@link #exchange}, {@link #readWhole} or {@link #readStream}.
     */
    public HttpClient raw() {
        return vertxClient;
    }

    @Override
    public void close() throws Exception {
        vertxClient.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
