package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AC: under {@code audit.when-full: reject} a call reserves queue room for its records once its body is parsed
 * and holds it until the call completes. A call answered with a long SSE stream (a tool streaming progress, an MCP
 * 2026 {@code subscriptions/listen} that stays open by design) holds its permit for the whole stream, although it has
 * not produced a record and the writer is idle. {@code audit.queue-capacity} open streams take every permit, and from
 * then on AuditCapacityStage refuses every new call of every caller with 503 {@code audit_unavailable} "audit queue full
 * (0 records)": nothing is queued, nothing is failing, the audit log is healthy. One agent holding queue-capacity
 * streams open shuts the gateway for everybody; the operator is told the audit pipeline is the problem.
 *
 * <p>Capacity 2 here for speed (default 10,000; the load report holds 8,000 SSE streams on one gateway).
 */
class OpenStreamsHoldAuditRoomReviewACTest {

    @TempDir
    Path audit;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final List<io.vertx.core.http.HttpServerResponse> openStreams = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        RecordingUpstream answering = upstream;
        upstream.answer(request -> {
            String body = answering.received().get(answering.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            if (body.contains("\"watch\"")) {
                // A tool that streams progress and has not finished: the stream stays open.
                request.response().setChunked(true).putHeader("content-type", "text/event-stream")
                        .write("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":"
                                + "{\"progressToken\":" + id + ",\"progress\":1}}\n\n");
                synchronized (openStreams) {
                    openStreams.add(request.response());
                }
            } else {
                request.response().putHeader("content-type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[]}}");
            }
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null,
                "audit: {directory: " + audit + ", queue-capacity: 2, when-full: reject}");
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        synchronized (openStreams) {
            openStreams.forEach(r -> vertx.runOnContext(v -> r.end()));
        }
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpClientResponse openStream(int id) throws Exception {
        String json = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"watch\",\"arguments\":{},"
                + "\"_meta\":{\"progressToken\":" + id + "}}}";
        return http.raw().request(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"))
                .compose(req -> req.send(Buffer.buffer(json)))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void openStreamsDoNotRefuseOtherCallsWhileTheAuditQueueIsEmpty() throws Exception {
        HttpClientResponse first = openStream(1);
        HttpClientResponse second = openStream(2);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(gateway.gateway().services().audit().queued()).as("nothing waits for the writer").isZero();
        assertThat(gateway.gateway().services().audit().healthy()).isTrue();

        TestHttp.Reply other = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}"));

        assertThat(other.status()).as("another caller's call while two streams are open: " + other.body()).isEqualTo(200);
    }
}
