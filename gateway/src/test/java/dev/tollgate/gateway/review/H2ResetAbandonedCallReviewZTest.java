package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.MtlsH2Fixture;
import dev.tollgate.gateway.support.RecordingUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Z, confirmed-safe probe (passes; regression value): the abandoned-call slot (907d6e9) also holds when the
 * client leaves by resetting its HTTP/2 stream (h2 over the mTLS listener; the plain listener speaks no h2c) rather than closing the connection: the slot is
 * kept until the upstream's answer ends. Input: route {@code max-concurrent-calls: 2}, per caller 1; a tool that runs
 * 3 s; six {@code tools/call} on ONE HTTP/2 connection, each stream reset (RST_STREAM CANCEL) once the call is forwarded.
 * Expected and observed: never more than 1 tool running for the caller (the others refused 429).
 */
class H2ResetAbandonedCallReviewZTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private MtlsH2Fixture gateway;
    private HttpClient h2;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            vertx.setTimer(3000, t -> {
                running.decrementAndGet();
                try {
                    request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}");
                } catch (RuntimeException gone) {
                    // reset by the gateway: the work was done anyway
                }
            });
        });
        gateway = MtlsH2Fixture.start(dir, "allow", "{name: mcp, path: /mcp, protocol: mcp, upstream: \"" + upstream.url("/mcp")
                + "\", policy: p, max-concurrent-calls: 2, max-concurrent-calls-per-caller: 1}");
        h2 = gateway.vertxClient();
    }

    @AfterEach
    void stop() throws Exception {
        h2.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void callsAbandonedByAStreamResetStillHoldTheirSlot() throws Exception {
        int refused = 0;
        for (int i = 1; i <= 6; i++) {
            int before = upstream.received().size();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{}}}";
            HttpClientRequest request = h2.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(gateway.port())
                    .setURI("/mcp").putHeader("Content-Type", "application/json").putHeader("Accept", "application/json, text/event-stream")
                    .putHeader("MCP-Protocol-Version", "2025-06-18")).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            AtomicInteger status = new AtomicInteger();
            request.response().onSuccess(r -> status.set(r.statusCode()));
            request.end(Buffer.buffer(body));
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (upstream.received().size() == before && status.get() == 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            if (status.get() == 429) {
                refused++;
            } else {
                request.reset();
            }
            Thread.sleep(100);
        }

        assertThat(upstream.received()).as("control: calls forwarded over HTTP/2").isNotEmpty();
        assertThat(refused).as("control: later calls refused").isGreaterThan(0);
        assertThat(mostRunning.get()).as("tools running at once for one caller limited to 1 (route limit 2)").isLessThanOrEqualTo(1);
    }
}
