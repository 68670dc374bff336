package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.audit.AuditWriterHold;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AF (4488e7f): under {@code audit.when-full: reject} admission is now a check ({@code hasRoomFor}) that takes no
 * room, and an admitted call's records are queued past {@code queue-capacity} when it ends. The README says a large batch
 * cannot overflow the queue, and that the overshoot is "at most the calls in flight". Both are false for batches in
 * flight together: each batch of {@code queue-capacity} messages is admitted against the same empty queue (nothing is
 * counted for it while it runs), and when they end each queues all its records. K concurrent batches queue
 * K x capacity records: the queue no longer bounds the writer's memory; it is bounded only by how many calls one can
 * hold open times the largest batch (the load report holds 8,000 SSE streams on one gateway; capacity defaults to
 * 10,000).
 *
 * <p>Capacity 4, eight batches of four tools/call, the upstream answers each after a second, the writer held (a slow
 * disk) so what is queued can be read for certain.
 */
class ConcurrentBatchesOverflowAuditQueueReviewAFTest {

    private static final int CAPACITY = 4;
    private static final int BATCHES = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path audit;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        RecordingUpstream answering = upstream;
        upstream.answer(request -> {
            String body = answering.received().get(answering.received().size() - 1).body().toString();
            StringBuilder out = new StringBuilder("[");
            try {
                for (JsonNode element : JSON.readTree(body)) {
                    out.append(out.length() > 1 ? "," : "").append("{\"jsonrpc\":\"2.0\",\"id\":").append(element.get("id"))
                            .append(",\"result\":{\"content\":[]}}");
                }
            } catch (Exception e) {
                request.response().setStatusCode(500).end();
                return;
            }
            String answer = out.append("]").toString();
            // A slow tool: every batch is in flight at once before any of them ends.
            vertx.setTimer(1500, t -> request.response().putHeader("content-type", "application/json").end(answer));
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null,
                "audit: {directory: " + audit + ", queue-capacity: " + CAPACITY + ", when-full: reject}");
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String batch(int first) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < CAPACITY; i++) {
            out.append(i > 0 ? "," : "").append("{\"jsonrpc\":\"2.0\",\"id\":").append(first + i)
                    .append(",\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"q\":\"x\"}}}");
        }
        return out.append("]").toString();
    }

    @Test
    void batchesInFlightTogetherDoNotQueueMoreThanTheDocumentedBound() throws Exception {
        var log = gateway.gateway().services().audit();
        try (AutoCloseable held = AuditWriterHold.hold(log)) {
            List<Future<Integer>> replies = new ArrayList<>();
            for (int b = 0; b < BATCHES; b++) {
                String body = batch(1 + b * CAPACITY);
                // The body is read as the head arrives (see TestHttp.exchange): asked for later, it could never complete.
                replies.add(TestHttp.readWhole(http.raw(), TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"),
                        Buffer.buffer(body), (resp, x) -> resp.statusCode()));
            }
            int admitted = 0;
            for (Future<Integer> reply : replies) {
                if (reply.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS) == 200) {
                    admitted++;
                }
            }
            long queued = log.queued();
            // README: "a large batch cannot overflow the queue"; an admitted call's records go past queue-capacity "by at
            // most the calls in flight".
            assertThat(queued)
                    .as("%d batches of %d admitted together (%d answered 200); records queued with capacity %d", BATCHES, CAPACITY,
                            admitted, CAPACITY)
                    .isLessThanOrEqualTo(CAPACITY + admitted);
        }
    }
}
