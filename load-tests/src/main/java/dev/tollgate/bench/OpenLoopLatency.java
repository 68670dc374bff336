package dev.tollgate.bench;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate (open loop) latency of MCP {@code tools/call} POSTs, with coordinated-omission correction: call i
 * is due at {@code start + i / rate} and its latency is measured from that intended time, not from when it
 * could be sent. A target that stalls for 50 ms at 1,000 calls/s therefore shows 50 slow calls, where wrk's
 * closed loop (each connection waits for its answer before asking again) shows one.
 * <p>
 * The calls are those of {@code harness/tools-call.lua} (same headers and body), plus {@code X-Waxell-AXID}
 * when a token file is given. Usage:
 * <pre>
 * java -cp benchmarks.jar dev.tollgate.bench.OpenLoopLatency --url URL --rate N --duration S
 *     [--warmup S] [--connections N] [--axid-file FILE] [--label NAME] [--hlog FILE] [--tsv FILE]
 * </pre>
 * Prints one line: target, rate, calls, errors (anything but 200, and calls unanswered 10 s after the last
 * was due), p50, p90, p99, p99.9 and max in ms. {@code --tsv} appends the same as a tab-separated row,
 * {@code --hlog} writes the histogram in HdrHistogram's log format. Warm-up calls are sent at the same rate
 * and not recorded.
 */
public final class OpenLoopLatency {

    static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}}}";

    /** One run's options. */
    record Options(URI url, int rate, int durationSeconds, int warmupSeconds, int connections, String axid, String label,
                   Path hlog, Path tsv) {
        static Options parse(String[] args) throws Exception {
            URI url = null;
            int rate = 1000, duration = 10, warmup = 5, connections = 128;
            String axid = null, label = null;
            Path hlog = null, tsv = null;
            for (int i = 0; i + 1 < args.length; i += 2) {
                String value = args[i + 1];
                switch (args[i]) {
                    case "--url" -> url = URI.create(value);
                    case "--rate" -> rate = Integer.parseInt(value);
                    case "--duration" -> duration = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--connections" -> connections = Integer.parseInt(value);
                    case "--axid-file" -> axid = Files.readString(Path.of(value)).trim();
                    case "--label" -> label = value;
                    case "--hlog" -> hlog = Path.of(value);
                    case "--tsv" -> tsv = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (url == null || rate < 1 || duration < 1 || connections < 1) {
                throw new IllegalArgumentException("usage: OpenLoopLatency --url URL --rate N --duration S [--warmup S] "
                        + "[--connections N] [--axid-file FILE] [--label NAME] [--hlog FILE] [--tsv FILE]");
            }
            return new Options(url, rate, duration, warmup, connections, axid, label == null ? url.toString() : label, hlog, tsv);
        }
    }

    /** What one run measured; latencies in microseconds. */
    record Result(String label, int rate, long calls, long errors, Histogram histogram, Histogram sendLag, String errorKinds) {
        double ms(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1000.0;
        }

        String line() {
            return String.format(Locale.ROOT, "%-22s rate %6d/s  calls %8d  errors %5d  p50 %8.3f  p90 %8.3f  p99 %8.3f  p99.9 %8.3f  max %9.3f ms"
                            + "  (client send lag p99 %.3f ms%s)",
                    label, rate, calls, errors, ms(50), ms(90), ms(99), ms(99.9), histogram.getMaxValue() / 1000.0,
                    sendLag.getValueAtPercentile(99) / 1000.0, errorKinds.isEmpty() ? "" : "; errors: " + errorKinds);
        }

        String tsvRow() {
            return String.format(Locale.ROOT, "%s\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f", label, rate, calls, errors,
                    ms(50), ms(90), ms(99), ms(99.9), histogram.getMaxValue() / 1000.0);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Result result = run(options);
        System.out.println(result.line());
        if (options.tsv() != null) {
            Files.writeString(options.tsv(), result.tsvRow() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        if (options.hlog() != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(options.hlog()))) {
                HistogramLogWriter writer = new HistogramLogWriter(out);
                writer.outputComment("[" + result.label() + " at " + result.rate() + "/s, microseconds]");
                writer.outputLogFormatVersion();
                writer.outputLegend();
                writer.outputIntervalHistogram(result.histogram());
            }
        }
        System.exit(0);
    }

    /**
     * One event loop's share of the calls (call i goes to lane i % lanes), with its own client, pool and
     * histograms: each is touched by its event loop only, so nothing is shared on the hot path.
     */
    static final class Lane {
        final Context context;
        final HttpClient client;
        final Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
        // How late the client itself sent each call: if this is large, the client (or the machine), not the
        // target, was the bottleneck, and the run says little about the target.
        final Histogram sendLag = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
        final Map<String, Long> errorKinds = new TreeMap<>();
        long errors;

        Lane(Context context, HttpClient client) {
            this.context = context;
            this.client = client;
        }
    }

    static Result run(Options options) throws InterruptedException {
        // Two event loops by default: one loop of this client tops out near 5,000 calls/s on a busy 2-core VM.
        int lanes = Math.max(1, Integer.getInteger("openloop.eventLoops", 2));
        URI url = options.url();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json")
                .add("Accept", "application/json, text/event-stream")
                .add("MCP-Protocol-Version", "2025-11-25");
        if (options.axid() != null) {
            headers.add("X-Waxell-AXID", options.axid());
        }
        Buffer body = Buffer.buffer(BODY);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        Lane[] lane = new Lane[lanes];
        // One Vert.x instance of one event loop per lane: the only way to be sure each lane has a thread of its
        // own (contexts of one instance, and the client's pool, may all end up on the same loop).
        Vertx[] instances = new Vertx[lanes];
        for (int k = 0; k < lanes; k++) {
            Vertx vertx = instances[k] = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
            HttpClient client = vertx.createHttpClient(
                    new HttpClientOptions().setKeepAlive(true).setPipelining(false).setTcpNoDelay(true)
                            .setDefaultHost(url.getHost()).setDefaultPort(url.getPort()),
                    new PoolOptions().setHttp1MaxSize(Math.max(1, options.connections() / lanes)));
            lane[k] = new Lane(((VertxInternal) vertx).createEventLoopContext(), client);
        }

        long warmupCalls = (long) options.warmupSeconds() * options.rate();
        long total = warmupCalls + (long) options.durationSeconds() * options.rate();
        AtomicLong done = new AtomicLong();
        CountDownLatch allDone = new CountDownLatch(1);
        double intervalNanos = 1e9 / options.rate();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);

        // The scheduler sleeps until the next call is due and hands every due call to its lane's event loop; a
        // late wake-up (or a slow event loop) only delays sending, and that delay is part of the measured latency.
        Thread scheduler = new Thread(() -> {
            long next = 0;
            while (next < total) {
                long now = System.nanoTime();
                long dueUpTo = now < start ? 0 : Math.min(total, (long) ((now - start) / intervalNanos) + 1);
                if (dueUpTo <= next) {
                    LockSupport.parkNanos(start + (long) (next * intervalNanos) - now);
                    continue;
                }
                long from = next, to = dueUpTo;
                next = dueUpTo;
                for (int k = 0; k < lanes; k++) {
                    Lane l = lane[k];
                    long first = from + Math.floorMod(k - from, lanes);
                    if (first >= to) {
                        continue;
                    }
                    l.context.runOnContext(v -> {
                        for (long i = first; i < to; i += lanes) {
                            send(l, i, start + (long) (i * intervalNanos), i >= warmupCalls, path, headers, body, () -> {
                                if (done.incrementAndGet() == total) {
                                    allDone.countDown();
                                }
                            });
                        }
                    });
                }
            }
        }, "open-loop-scheduler");
        scheduler.setDaemon(true);
        scheduler.start();
        long lastDue = start + (long) (total * intervalNanos);
        boolean finished = allDone.await(Math.max(0, lastDue - System.nanoTime()) + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS);

        // Read each lane on the event loop that writes it: calls may still be completing when the wait gave up.
        Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
        Histogram sendLag = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
        Map<String, Long> errorKinds = new TreeMap<>();
        long[] errors = new long[1];
        CountDownLatch read = new CountDownLatch(lanes);
        for (Lane l : lane) {
            l.context.runOnContext(v -> {
                synchronized (latency) {
                    latency.add(l.latency);
                    sendLag.add(l.sendLag);
                    l.errorKinds.forEach((kind, n) -> errorKinds.merge(kind, n, Long::sum));
                    errors[0] += l.errors;
                }
                read.countDown();
            });
        }
        read.await(5, TimeUnit.SECONDS);
        long recordedCalls = total - warmupCalls;
        Histogram latencyCopy, sendLagCopy;
        long errorCount, unanswered;
        String kinds;
        synchronized (latency) {
            latencyCopy = latency.copy();
            sendLagCopy = sendLag.copy();
            errorCount = errors[0];
            unanswered = finished ? 0 : Math.max(0, recordedCalls - errorCount - latencyCopy.getTotalCount());
            kinds = errorKinds.toString().replaceAll("[{}]", "");
        }
        for (Vertx vertx : instances) {
            vertx.close();
        }
        return new Result(options.label(), options.rate(), recordedCalls, errorCount + unanswered, latencyCopy, sendLagCopy,
                kinds + (unanswered > 0 ? (kinds.isEmpty() ? "" : ", ") + "unanswered=" + unanswered : ""));
    }

    /** Sends call i on its lane's event loop; its latency is taken from its intended send time. */
    private static void send(Lane l, long i, long intended, boolean recorded, String path, MultiMap headers, Buffer body, Runnable finished) {
        if (recorded) {
            l.sendLag.recordValue(Math.min(Math.max(0, (System.nanoTime() - intended) / 1000), l.sendLag.getHighestTrackableValue()));
        }
        l.client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path).setHeaders(headers))
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .onComplete(outcome -> {
                    if (recorded) {
                        if (outcome.succeeded() && outcome.result() == 200) {
                            long micros = (System.nanoTime() - intended) / 1000;
                            l.latency.recordValue(Math.min(micros, l.latency.getHighestTrackableValue()));
                        } else {
                            l.errors++;
                            l.errorKinds.merge(outcome.succeeded() ? "HTTP " + outcome.result()
                                    : outcome.cause().getClass().getSimpleName(), 1L, Long::sum);
                        }
                    }
                    finished.run();
                });
    }
}
