package dev.tollgate.bench;

import dev.tollgate.gateway.support.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Where the tail of a Redis round trip goes on this machine, to read {@link BudgetLedgerBench}'s strict-mode
 * figures against: the same one-line command ({@code HGET} of a missing field, answered {@code $-1}) at
 * 1,000 a second, open loop, from a plain thread on a blocking socket and from a Vert.x event loop on a raw
 * {@code NetSocket}. The gap between the two is the event-loop path (selector wake-up, task hand-offs), paid
 * by any Vert.x Redis client before a script runs.
 * Usage: {@code java -cp load-tests/target/benchmarks.jar dev.tollgate.bench.RedisRoundTripProbe [seconds]}.
 */
public final class RedisRoundTripProbe {

    private static final byte[] COMMAND = "*3\r\n$4\r\nHGET\r\n$5\r\nprobe\r\n$7\r\nmissing\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int RATE = 1000;
    private static final int WARM_UP_SECONDS = 5;

    private RedisRoundTripProbe() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        try (RedisServer redis = RedisServer.start()) {
            System.out.println("one Redis command, " + RATE + "/s open loop, " + seconds + " s after " + WARM_UP_SECONDS + " s warm-up");
            System.out.println("path                         count    p50 us   p99 us   p99.9 us   max us");
            print("blocking socket, one thread", blocking(redis.port(), seconds));
            print("Vert.x event loop, NetSocket", eventLoop(redis.port(), seconds));
        }
    }

    private static Histogram blocking(int port, int seconds) throws Exception {
        Histogram h = histogram();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[16];
            long start = System.nanoTime();
            int total = RATE * (WARM_UP_SECONDS + seconds);
            for (int i = 0; i < total; i++) {
                long due = start + i * (1_000_000_000L / RATE);
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                long sent = System.nanoTime();
                out.write(COMMAND);
                out.flush();
                int read = 0;
                while (read < 5) { // "$-1\r\n"
                    read += in.read(reply, read, reply.length - read);
                }
                if (i >= RATE * WARM_UP_SECONDS) {
                    h.recordValue(Math.min(System.nanoTime() - sent, h.getHighestTrackableValue()));
                }
            }
        }
        return h;
    }

    private static Histogram eventLoop(int port, int seconds) throws Exception {
        Histogram h = histogram();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try {
            CountDownLatch done = new CountDownLatch(1);
            Context context = vertx.getOrCreateContext();
            context.runOnContext(v -> vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true)).connect(port, "127.0.0.1")
                    .onSuccess(socket -> drive(vertx, socket, seconds, h, done)));
            done.await(WARM_UP_SECONDS + seconds + 30L, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        return h;
    }

    /** Sends on schedule from the event loop; every reply is the 5 bytes {@code $-1\r\n}, so bytes count replies. */
    private static void drive(Vertx vertx, NetSocket socket, int seconds, Histogram h, CountDownLatch done) {
        ArrayDeque<long[]> sent = new ArrayDeque<>();
        long[] pendingBytes = {0};
        socket.handler(buffer -> {
            pendingBytes[0] += buffer.length();
            while (pendingBytes[0] >= 5 && !sent.isEmpty()) {
                pendingBytes[0] -= 5;
                long[] s = sent.poll();
                if (s[1] == 1) {
                    h.recordValue(Math.min(System.nanoTime() - s[0], h.getHighestTrackableValue()));
                }
            }
        });
        long start = System.nanoTime();
        long[] issued = {0};
        io.vertx.core.buffer.Buffer command = io.vertx.core.buffer.Buffer.buffer(COMMAND);
        vertx.setPeriodic(1, id -> {
            long now = System.nanoTime();
            long target = (now - start) * RATE / 1_000_000_000L;
            long measured = now - start > TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS) ? 1 : 0;
            while (issued[0] < target) {
                issued[0]++;
                sent.add(new long[] {System.nanoTime(), measured});
                socket.write(command);
            }
            if (now - start > TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS + seconds)) {
                vertx.cancelTimer(id);
                done.countDown();
            }
        });
    }

    private static Histogram histogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
    }

    private static void print(String name, Histogram h) {
        System.out.printf("%-28s %6d  %8.1f  %7.1f  %9.1f  %7.1f%n", name, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }
}
