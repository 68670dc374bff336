package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.ObjectName;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BE: a relayed stream keeps something for every task event it carries, for as long as it stays open. On an A2A
 * route, every event of a {@code SendStreamingMessage} stream that shows its task still working appends a
 * {@code TaskLifecycle.Created} to the exchange (A2aResponseFilter#noteTask, Exchange#taskCreated), the same task id
 * again and again; every terminal one appends to {@code endedTasks} (Exchange#taskEnded; on MCP streams, every
 * {@code notifications/tasks/status} naming an ended task, the GET stream included, McpResponseFilter#onEvent). The lists
 * are read only once the stream ends (ConcurrencyStage#handOverToTasks). A long task that reports progress every second,
 * or an upstream streaming status updates as fast as it likes, grows the gateway's heap with the number of events relayed,
 * without bound (the 1 MiB limit is per event; an open stream is never cut by a timeout).
 *
 * <p>Probe: a class histogram of the live heap (full GC first) counts the {@code TaskLifecycle$Created} records while the
 * stream is open after 20,000 status updates of ONE task were relayed. Expected: a handful (one task). Observed: 20,001.
 */
class StreamEventsHeldForeverReviewBETest {

    private static final int EVENTS = 20_000;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream agent;
    private RunningGateway gateway;
    private HttpClient client;
    private final AtomicReference<HttpServerResponse> open = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        agent = new RecordingUpstream(vertx);
        agent.answer(request -> {
            HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            open.set(response);
            response.write("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"task\":{\"id\":\"t1\",\"contextId\":\"c1\","
                    + "\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}}\n\n");
            StringBuilder batch = new StringBuilder();
            for (int i = 1; i <= EVENTS; i++) {
                batch.append("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"statusUpdate\":{\"taskId\":\"t1\",\"contextId\":\"c1\","
                        + "\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}}\n\n");
                if (i % 500 == 0) {
                    response.write(batch.toString());
                    batch.setLength(0);
                }
            }
            // ... and the task goes on working: the stream stays open.
        });
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), agent.url("")));
        client = vertx.createHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        gateway.close();
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anOpenStreamDoesNotKeepARecordPerRelayedEvent() throws Exception {
        AtomicInteger blankLines = new AtomicInteger();
        StringBuilder tail = new StringBuilder();
        // The handler is set as the head arrives (see TestHttp.exchange): set later, it could miss the first events.
        HttpClientResponse response = TestHttp.readStream(client, TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendStreamingMessage\",\"params\":"
                        + "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"work on it\"}]}}}"),
                answer -> answer.handler(chunk -> {
                    // Events counted by their blank lines (the gateway writes each event as "data: ...\n\n").
                    tail.append(chunk.toString());
                    int at;
                    while ((at = tail.indexOf("\n\n")) >= 0) {
                        blankLines.incrementAndGet();
                        tail.delete(0, at + 2);
                    }
                }))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(60)).alias("control: every event relayed").until(() -> blankLines.get() >= EVENTS + 1);
        assertThat(open.get()).as("control: the upstream's stream is still open").isNotNull();
        assertThat(open.get().ended()).isFalse();

        long held = liveInstances("dev.tollgate.gateway.pipeline.TaskLifecycle$Created");

        assertThat(held).as("TaskLifecycle.Created records live while one task's stream is open, after " + EVENTS
                + " status updates of that task were relayed").isLessThanOrEqualTo(10);
    }

    /** Live instances of a class, by a class histogram of the heap (which runs a full GC first): 0 when none. */
    private static long liveInstances(String className) throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
        for (String line : histogram.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4 && columns[3].equals(className)) {
                return Long.parseLong(columns[1]);
            }
        }
        return 0;
    }
}
