package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revJ): with {@code audit.when-full: reject} ("no decision goes unrecorded (fail closed)") a call reserves room
 * for one record per JSON-RPC message it carries, but a server-to-client request decided on its stream (sampling,
 * elicitation, roots/list: "every request the server sends to the client on an SSE stream" is policed and has a record
 * of its own) is queued unreserved (CompletionRecorder.serverRequestDecided: {@code audit().offer(...)}, result ignored):
 * when the queue has no room, its record is dropped (counted) and the request is relayed to the client all the same.
 * The calls in flight hold their own reservations, so the room can be gone exactly while streams are open; here
 * {@code queue-capacity: 1} and another call's record fills it while the tools/call's stream is open (the writer held, as
 * behind a slow disk): the server's sampling request reaches the client with no record, while the tools/call's own
 * record is written (control). (Until review AC the tools/call's own admission held the room; it no longer does.)
 * Should be: in reject mode, a server request whose record cannot be queued is withheld (answered to the upstream with
 * an error), or the call reserves room for the records its stream may produce.
 *
 * <p>Fixed: a server request whose record cannot be queued under when-full: reject is not delivered; the upstream gets
 * the audit_unavailable error (CompletionRecorder.serverRequestDecided, McpResponseFilter).
 */
class ServerRequestAuditDroppedReviewTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    /** The upstream holds the answer of the call under test until the test has filled the audit queue. */
    private final java.util.concurrent.CompletableFuture<Void> queueFilled = new java.util.concurrent.CompletableFuture<>();
    private final java.util.concurrent.CompletableFuture<Void> callArrived = new java.util.concurrent.CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            if (!request.uri().startsWith("/mcp") || request.method() != io.vertx.core.http.HttpMethod.POST) {
                request.response().end();
                return;
            }
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (body.contains("\"fill\"")) {
                request.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[]}}");
            } else if (body.contains("\"ask_first\"")) {
                // The 2026-07-28 form: the request the server waits on travels inside the call's result.
                callArrived.complete(null);
                queueFilled.thenRun(() -> vertx.runOnContext(v -> request.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
                        + "{\"resultType\":\"input_required\",\"requestState\":\"s1\",\"inputRequests\":{\"confirm\":"
                        + "{\"method\":\"elicitation/create\",\"params\":{\"mode\":\"form\",\"message\":\"Go on?\","
                        + "\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}}}}")));
            } else if (body.contains("\"tools/call\"")) {
                request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                callArrived.complete(null);
                queueFilled.thenRun(() -> vertx.runOnContext(v -> {
                    request.response().write("id: 1\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"sampling/createMessage\",\"params\":"
                            + "{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"summarize\"}}],\"maxTokens\":10}}\n\n");
                    vertx.setTimer(200, t -> request.response().end("id: 2\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
                            + "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}\n\n"));
                }));
            } else {
                request.response().setStatusCode(202).end();
            }
        });
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "allow-all",
                "audit: {directory: " + dir.resolve("audit") + ", when-full: reject, queue-capacity: 1}"));
        http = new TestHttp(vertx);
    }

    /**
     * Sends the call under test and, once the upstream holds it, fills the audit queue for certain: with the writer held
     * (as behind a slow disk), another call's record takes the one place. Then the upstream answers. Admission holds no
     * room while a call runs (review AC), so the queue is full only when records really wait in it.
     */
    private TestHttp.Reply sendWithTheQueueFilledMeanwhile(String json) throws Exception {
        AuditLog audit = gateway.gateway().services().audit();
        try (AutoCloseable held = dev.tollgate.gateway.audit.AuditWriterHold.hold(audit)) {
            java.util.concurrent.CompletableFuture<TestHttp.Reply> reply = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return http.send(TestHttp.mcpPost(gateway.port(), "/mcp"), Buffer.buffer(json));
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            callArrived.get(10, java.util.concurrent.TimeUnit.SECONDS);
            TestHttp.Reply filler = http.send(TestHttp.mcpPost(gateway.port(), "/mcp"),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"fill\",\"arguments\":{}}}"));
            assertThat(filler.status()).isEqualTo(200);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> audit.isFull());
            queueFilled.complete(null);
            return reply.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aServerRequestRelayedInRejectModeHasItsAuditRecord() throws Exception {
        TestHttp.Reply reply = sendWithTheQueueFilledMeanwhile(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"summarize\",\"arguments\":{}}}");
        assertThat(reply.status()).isEqualTo(200);
        boolean relayed = reply.body().toString().contains("sampling/createMessage");

        // Control: the call's own record (written on its reservation).
        assertThat(AuditLines.awaitFirst(dir.resolve("audit"), r -> "1".equals(r.path("request_id").asText()))).isNotNull();
        JsonNode sampling = AuditLines.awaitFirst(dir.resolve("audit"), r -> "server_to_client".equals(r.path("direction").asText()));
        AuditLog audit = gateway.gateway().services().audit();
        assertThat(relayed && sampling == null)
                .as("sampling request relayed to the client: %s; its audit record: %s; records dropped: %d", relayed, sampling, audit.dropped())
                .isFalse();
        // Not delivered: the server's request is answered with the reason a client's call would get.
        assertThat(relayed).isFalse();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> upstream.received().stream()
                .anyMatch(r -> r.body().toString().contains("\"reason\":\"audit_unavailable\"")));
    }

    /** The same for a request embedded in a result (input_required): the answer carrying it is withheld too. */
    @Test
    void anEmbeddedRequestWhoseRecordFindsNoRoomWithholdsItsAnswer() throws Exception {
        TestHttp.Reply reply = sendWithTheQueueFilledMeanwhile(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"ask_first\",\"arguments\":{}}}");

        assertThat(reply.body().toString()).doesNotContain("elicitation/create");
        assertThat(reply.json().path("error").path("data").path("reason").asText()).isEqualTo("audit_unavailable");
        assertThat(reply.json().path("id").asInt()).isEqualTo(1);
    }
}
