package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A slow client on an SSE answer holds the upstream back: the gateway pauses the upstream while the
 * client's write queue is full, so what the upstream has written and the client has not read is bounded
 * by buffers (the gateway's write queue, its SSE decoder, and the socket buffers on both legs), not by
 * the length of the stream.
 */
class SseBackPressureTest {

    private static final String EVENT_HEAD = "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"";
    private static final String EVENT_TAIL = "\"}}\n\n";
    /** One SSE event as the upstream writes it (a log notification, which the gateway reads and passes): 8 KiB. */
    private static final String EVENT = EVENT_HEAD + "x".repeat(8 * 1024 - EVENT_HEAD.length() - EVENT_TAIL.length()) + EVENT_TAIL;
    private static final int CLIENT_RECEIVE_BUFFER_BYTES = 16 * 1024;
    private static final int READ_STEP_BYTES = 128 * 1024;
    private static final int READ_STEPS = 16;
    /** The gateway's write queue to the client and the upstream's own (Netty's default high-water marks), with slack. */
    private static final long WRITE_QUEUES_BYTES = 1024 * 1024;
    /**
     * Written by the upstream but not yet read by the client, at most: the write queues, and the kernel
     * buffers of both connections, which Linux autotunes up to tcp_rmem/tcp_wmem max (read from /proc; here
     * 32 MiB and 4 MiB: bound 41 MiB). Measured on loopback: 4.0-4.6 MiB unread before the client read anything,
     * growing with autotuning to 4.6-7.8 MiB over 2 MiB read; without the pause, all of the stream (105 MiB) at once.
     */
    private static final long UNREAD_BOUND_BYTES = maxKernelBytes("tcp_rmem", 6 * 1024 * 1024)
            + 2 * maxKernelBytes("tcp_wmem", 4 * 1024 * 1024) + WRITE_QUEUES_BYTES;
    /** What the upstream would write if nothing held it back: far more than the bound. */
    private static final long STREAM_BYTES = UNREAD_BOUND_BYTES + 64L * 1024 * 1024;

    /** The third field of /proc/sys/net/ipv4/{name}: the most the kernel grows a socket buffer to. */
    private static long maxKernelBytes(String name, long fallback) {
        // Read line by line: a whole-file read (Files.readString) of this /proc file came back truncated here.
        try (var reader = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("/proc/sys/net/ipv4/" + name))) {
            return Long.parseLong(reader.readLine().trim().split("\\s+")[2]);
        } catch (java.io.IOException | RuntimeException e) {
            return fallback;
        }
    }

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private final AtomicLong written = new AtomicLong();
    /** True while the upstream waits for its write queue to drain, i.e. while it is held back. */
    private final AtomicBoolean waitingForDrain = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicLong pauses = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            writeAsFastAsAllowed(response);
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, null);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Writes events until the write queue is full, then waits for drain: as fast as the reader lets it. */
    private void writeAsFastAsAllowed(HttpServerResponse response) {
        Buffer event = Buffer.buffer(EVENT);
        while (written.get() < STREAM_BYTES) {
            if (response.writeQueueFull()) {
                pauses.incrementAndGet();
                waitingForDrain.set(true);
                response.drainHandler(v -> {
                    waitingForDrain.set(false);
                    writeAsFastAsAllowed(response);
                });
                return;
            }
            response.write(event);
            written.addAndGet(event.length());
        }
        finished.set(true);
        response.end();
    }

    @Test
    void aSlowSseClientHoldsTheUpstreamBackWithinTheGatewaysBuffers() throws Exception {
        try (Socket client = new Socket()) {
            // A small receive window, so the client's own kernel buffer does not hide what the gateway does.
            client.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER_BYTES);
            client.setSoTimeout(20_000); // a stalled stream fails the test instead of hanging it
            client.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
            String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"stream\",\"arguments\":{}}}";
            OutputStream out = client.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: text/event-stream");

            // Raw bytes read, chunked framing included (a few bytes per 8 KiB event): a slight overcount of
            // what the client has received, so the check below is, if anything, a little lenient.
            long read = 0;
            long mostUnread = 0;
            byte[] buffer = new byte[4096];
            for (int step = 0; step <= READ_STEPS; step++) {
                awaitUpstreamHeldBackOrDone();
                long unread = written.get() - read;
                mostUnread = Math.max(mostUnread, unread);
                assertThat(unread).as("bytes the upstream wrote past what the client read, after %d read", read)
                        .isLessThanOrEqualTo(UNREAD_BOUND_BYTES);
                if (step == READ_STEPS) {
                    break;
                }
                long target = read + READ_STEP_BYTES;
                while (read < target) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, target - read));
                    assertThat(n).as("the stream ended early").isPositive();
                    read += n;
                }
            }
            System.out.printf("SSE back-pressure: client read %d bytes, upstream wrote %d, most unread %d (bound %d), upstream paused %d times%n",
                    read, written.get(), mostUnread, UNREAD_BOUND_BYTES, pauses.get());
            assertThat(finished).as("the upstream wrote the whole stream to a client that read %d bytes", read).isFalse();
            assertThat(pauses.get()).isPositive();
        }
    }

    /**
     * Lets the upstream run as far ahead as it is allowed: until it has written everything, or has waited for
     * drain without writing a byte for a while. A gateway that does not pause it keeps it moving (it only
     * waits while the gateway is busy), so it ends up done. A machine too slow to read within the while can
     * only end the wait early, making the check lenient, never wrongly red.
     */
    private void awaitUpstreamHeldBackOrDone() {
        long[] seen = {-1};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).during(Duration.ofMillis(500)).until(() -> {
            long now = written.get();
            boolean still = now == seen[0];
            seen[0] = now;
            return finished.get() || still && waitingForDrain.get();
        });
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the connection closed before the answer's head").isNotNegative();
            head.append((char) b);
        }
        return head.toString();
    }
}
