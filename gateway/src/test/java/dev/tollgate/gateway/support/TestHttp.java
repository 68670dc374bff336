package dev.tollgate.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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

    /** A Vert.x client, for tests that read a streamed answer chunk by chunk or drop the connection. */
    public HttpClient raw() {
        return vertxClient;
    }

    @Override
    public void close() throws Exception {
        vertxClient.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
