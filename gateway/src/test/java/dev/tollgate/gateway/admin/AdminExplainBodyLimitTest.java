package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /explain} reads at most 64 KiB and decides while reading: a Content-Length over the limit is
 * answered before the body is sent, and an endless chunked body is cut off at the limit.
 */
class AdminExplainBodyLimitTest {

    private static final int LIMIT_BYTES = 64 * 1024;

    private Vertx vertx;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:9/mcp", RunningGateway.ALLOW_ALL, null, null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aBodyOfExactlyTheLimitIsExplained() throws Exception {
        String call = "{\"route\":\"upstream\",\"call\":{\"tool\":\"search\"}}";
        String body = call + " ".repeat(LIMIT_BYTES - call.length());

        TestHttp.Reply reply = http.send(explain(), Buffer.buffer(body));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("action").asText()).isEqualTo("allow");
    }

    @Test
    void aContentLengthOverTheLimitIsAnswered413BeforeTheBodyIsSentAndTheConnectionClosed() throws Exception {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        HttpClientRequest request = http.raw().request(explain()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        request.connection().closeHandler(v -> closed.complete(null));
        request.exceptionHandler(e -> { });
        // Read the answer from the start: a body that arrives before anyone reads it is dropped (and this test would wait).
        CompletableFuture<Answer> answered = answer(request).toCompletionStage().toCompletableFuture();
        // 100 MiB promised, 1 KiB sent: a server that reads before checking would wait for the rest forever.
        request.putHeader("Content-Length", String.valueOf(100L * 1024 * 1024));
        request.write(Buffer.buffer(" ".repeat(1024)));

        Answer answer = answered.get(30, TimeUnit.SECONDS);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.json().path("reason").asText()).isEqualTo("body_too_large");
        assertThat(answer.json().path("error").asText()).isEqualTo("body exceeds 65536 bytes");
        assertThat(answer.connection()).isEqualTo("close");
        closed.get(30, TimeUnit.SECONDS);
        assertThat(tooLargeCount()).isEqualTo("1.0");
    }

    @Test
    void anEndlessChunkedBodyIsCutOffAtTheLimitWith413AndTheConnectionClosed() throws Exception {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        CompletableFuture<Answer> answered = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        Buffer chunk = Buffer.buffer(" ".repeat(8 * 1024));
        http.raw().request(explain()).onSuccess(request -> {
            request.connection().closeHandler(v -> {
                stop.set(true);
                closed.complete(null);
            });
            request.exceptionHandler(e -> stop.set(true));
            request.setChunked(true);
            answer(request).onSuccess(answered::complete).onFailure(answered::completeExceptionally);
            // Writes for as long as the server reads: only the server stopping ends it.
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (!stop.get() && !request.writeQueueFull()) {
                    request.write(chunk);
                    written.addAndGet(chunk.length());
                }
                if (!stop.get()) {
                    request.drainHandler(v -> pump[0].run());
                }
            };
            pump[0].run();
        }).onFailure(answered::completeExceptionally);

        Answer answer = answered.get(30, TimeUnit.SECONDS);
        closed.get(30, TimeUnit.SECONDS);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.json().path("reason").asText()).isEqualTo("body_too_large");
        assertThat(written.get()).as("the client wrote past the limit before it was stopped").isGreaterThan(LIMIT_BYTES);
        assertThat(tooLargeCount()).isEqualTo("1.0");
    }

    private String tooLargeCount() throws Exception {
        String metrics = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                .setPort(gateway.gateway().adminPort()).setURI("/metrics"), null).body().toString();
        return metrics.lines().filter(l -> l.startsWith("tollgate_admin_rejects_total{reason=\"body_too_large\"}"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("absent");
    }

    private record Answer(int status, String connection, Buffer body) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(body.getBytes());
        }
    }

    /** Status and body, read as they arrive (a body nobody is reading yet when it arrives is dropped). */
    private static Future<Answer> answer(HttpClientRequest request) {
        return request.response().compose(r -> r.body().map(b -> new Answer(r.statusCode(), r.getHeader("Connection"), b)));
    }

    private RequestOptions explain() {
        return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.gateway().adminPort())
                .setURI("/explain").putHeader("Content-Type", "application/json");
    }
}
