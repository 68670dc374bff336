package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review Y, finding (medium): {@code max-concurrent-calls} and {@code max-concurrent-calls-per-caller} count exchanges
 * with the client, not calls running on the upstream. A client that hangs up once its call is forwarded ends the
 * exchange (UpstreamCall.clientGone: {@code client_aborted}, the upstream request reset) and ConcurrencyStage's slot is
 * given back at once, while the tool runs on: a disconnect is not a cancellation in MCP (Streamable HTTP: "disconnection
 * SHOULD NOT be interpreted as the client cancelling its request"; CompletionRecorder charges such calls their estimate
 * for that very reason, review revJ). The gateway sends no {@code notifications/cancelled} either. So a caller limited to
 * 1 call in flight (route limit 2) keeps as many tools running on the upstream as it opens connections: the limits that
 * protect the upstream ("so one caller holding streams open cannot starve the others") do not hold.
 *
 * <p>Input: route {@code max-concurrent-calls: 2}, {@code max-concurrent-calls-per-caller: 1}; an upstream tool that runs
 * 3 s whatever happens to its connection. The caller (one IP, no identity) sends {@code tools/call crawl} on a new
 * connection, waits until it is forwarded, closes the connection; six times.
 *
 * <p>Gateway accounted: never more than 1 call in flight (each slot freed at the hang-up). What happened: 6 tools running
 * on the upstream at once for this caller (3x the route's limit).
 *
 * <p>Suggested fix: tie the slot to the upstream call, not the client: on client_aborted after the call was sent, keep
 * the Admitted slot(s) until the upstream answer ends (let the upstream response drain and discard it, bounded by the
 * route's timeout) instead of resetting it at once; or send the upstream {@code notifications/cancelled} for each
 * abandoned request id and keep the slot until it answers or the route timeout passes.
 */
class AbandonedCallsConcurrencyReviewYTest {

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            // The tool starts, and runs its 3 s to the end whether or not the gateway is still connected.
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            vertx.setTimer(3000, t -> {
                running.decrementAndGet();
                try {
                    request.response().putHeader("content-type", "application/json")
                            .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}");
                } catch (RuntimeException gone) {
                    // the gateway reset the request: the work was done anyway
                }
            });
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "max-concurrent-calls: 2\nmax-concurrent-calls-per-caller: 1", null);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void callsAbandonedAfterForwardingStillCountAgainstTheCallersLimit() throws Exception {
        for (int i = 1; i <= 6; i++) {
            int before = upstream.received().size();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{}}}";
            NetSocket socket = vertx.createNetClient().connect(gateway.port(), "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            AtomicBoolean answered = new AtomicBoolean();
            socket.handler(data -> answered.set(true));
            socket.write(Buffer.buffer("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-06-18\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body));
            // Hang up as soon as the call is forwarded (or answered, e.g. 429 once the gateway refuses it).
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (upstream.received().size() == before && !answered.get() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            socket.close();
            Thread.sleep(100);
        }

        assertThat(mostRunning.get()).as("tools this caller had running on the upstream at once (per-caller limit 1, route limit 2)")
                .isLessThanOrEqualTo(1);
    }
}
