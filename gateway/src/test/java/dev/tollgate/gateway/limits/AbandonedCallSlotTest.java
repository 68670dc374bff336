package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call its client abandons after it was sent keeps its slot while the upstream works on it (review Y), and gives it back
 * when the upstream's answer ends, a JSON body or an SSE stream alike; the caller is then admitted again.
 */
class AbandonedCallSlotTest {

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final AtomicInteger answered = new AtomicInteger();
    private volatile boolean stream;
    /**
     * The abandoned tool's answer, sent when the test says (after it saw the slot still taken), not on a timer: an 800 ms
     * timer could fire before a loaded machine got the test's check of the held slot in.
     */
    private final List<Runnable> toolsToFinish = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            if (body.contains("\"quick\"")) {
                request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[]}}");
                return;
            }
            if (stream) {
                // The stream opens at once; the answer comes when the tool is done.
                request.response().setChunked(true).putHeader("content-type", "text/event-stream").write(": working\n\n");
            }
            Context context = vertx.getOrCreateContext();
            toolsToFinish.add(() -> context.runOnContext(t -> {
                answered.incrementAndGet();
                String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[]}}";
                try {
                    if (stream) {
                        request.response().end("data: " + answer + "\n\n");
                    } else {
                        request.response().putHeader("content-type", "application/json").end(answer);
                    }
                } catch (RuntimeException gone) {
                    // reset by the gateway
                }
            }));
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "max-concurrent-calls: 4\nmax-concurrent-calls-per-caller: 1", null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private void sendAndHangUp() throws Exception {
        int before = upstream.received().size();
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{}}}";
        NetSocket socket = vertx.createNetClient().connect(gateway.port(), "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        socket.write(Buffer.buffer("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-06-18\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (upstream.received().size() == before && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        Thread.sleep(stream ? 100 : 0);
        socket.close();
        Thread.sleep(100);
    }

    private int quickCall() throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"quick\",\"arguments\":{}}}")).status();
    }

    private void assertSlotHeldThenGivenBack() throws Exception {
        sendAndHangUp();
        assertThat(quickCall()).as("the abandoned call still runs upstream").isEqualTo(429);
        toolsToFinish.forEach(Runnable::run);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answered.get() == 0 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        // Bounded by time, not by a count of quick tries: the gateway gives the slot back once the answer has ended.
        int status = 0;
        long slotBack = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (status != 200 && System.nanoTime() < slotBack) {
            Thread.sleep(20);
            status = quickCall();
        }
        assertThat(status).as("the upstream answered: the slot is back").isEqualTo(200);
    }

    @Test
    void aJsonAnswerEndingGivesTheSlotBack() throws Exception {
        assertSlotHeldThenGivenBack();
    }

    @Test
    void anSseStreamEndingGivesTheSlotBack() throws Exception {
        stream = true;
        assertSlotHeldThenGivenBack();
    }

    /** Clients that close their connection as their answer ends (Connection: close) leave no slot behind. */
    @Test
    void clientsClosingAsTheirAnswerEndsLeaveNoSlotBehind() throws Exception {
        for (int i = 0; i < 20; i++) {
            var options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Connection", "close");
            assertThat(http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"quick\",\"arguments\":{}}}"))
                    .status()).isEqualTo(200);
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gateway.gateway().services().concurrentCalls().inFlight("upstream") > 0 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(gateway.gateway().services().concurrentCalls().inFlight("upstream")).isZero();
    }
}
