package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revJ): calls that have been forwarded and are still waiting for their upstream when the gateway stops (a
 * rolling restart, SIGTERM: GatewayProcess runs the same Gateway.close) leave no audit record. Gateway.close undeploys
 * the listeners, which drops the clients' connections; each call's exchange completes (client_aborted) from its
 * connection's close handler, on the event loop, after the undeploy has already completed, while
 * closeListenersAndServices has gone on to audit().close(): the writer drains what is queued and exits, and the
 * records queued after that stay in the queue (AuditLog.queued() &gt; 0) and are never written. Seen: 10 calls in flight,
 * 0 records, 7 to 10 left queued (a single call in flight is lost in about one run of three). The upstream executed
 * every one of those tool calls; {@code audit verify --expect-seq} against tollgate_audit_last_seq cannot tell either.
 * (Their budget holds are never settled either.) Control: the call answered before the stop is recorded.
 * Should be: on stop, calls in flight are ended (answered or cut) and their completion has run before the audit log
 * drains and closes; AuditLog.offer after close should at least be counted as dropped.
 *
 * <p>Fixed: shutdown waits (at most 5 s) for the calls its closed listeners cut to complete before the audit log
 * closes (Gateway.callsEnded); a record offered after the close is counted as dropped, not queued and lost.
 */
class ShutdownInFlightAuditReviewTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private volatile boolean answering = true;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            if (answering) {
                String body = upstream.received().get(upstream.received().size() - 1).body().toString();
                String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
                request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}");
            }
            // else: the tool is still running when the gateway stops
        });
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "allow-all",
                "audit: {directory: " + dir.resolve("audit") + "}"));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void callsForwardedAndStillRunningWhenTheGatewayStopsHaveTheirAuditRecords() throws Exception {
        // Control: answered before the stop, recorded.
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL.formatted(1)).json().has("result")).isTrue();

        answering = false;
        int inFlight = 10;
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(inFlight);
        java.util.List<CompletableFuture<Object>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < inFlight; i++) {
            int id = 100 + i;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return http.postMcp(gateway.port(), "/mcp", CALL.formatted(id));
                } catch (Exception e) {
                    return e;
                }
            }, clients));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.received().size() == 1 + inFlight);
        AuditLog audit = gateway.gateway().services().audit();
        gateway.close();
        calls.forEach(CompletableFuture::join);
        clients.shutdown();

        Path file = AuditFiles.file(dir.resolve("audit"), 1);
        String log = Files.exists(file) ? Files.readString(file) : "";
        assertThat(log).as("control: the call answered before the stop").containsPattern("\"request_id\":1[,}]"); // the id as sent: a number
        long recorded = log.lines().filter(l -> l.matches(".*\"request_id\":1[0-9][0-9][,}].*")).count();
        assertThat(recorded).as("calls forwarded to the upstream and in flight at the stop (%d) that have an audit record; "
                + "audit wrote %d record(s) in all, dropped %d, left queued %d", inFlight, audit.written(), audit.dropped(), audit.queued())
                .isEqualTo(inFlight);
    }
}
