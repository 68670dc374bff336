package dev.tollgate.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens N concurrent MCP {@code tools/call} SSE streams (one connection each) and waits for every stream's
 * first event: what a gateway holding many long-running calls costs (resident memory) and whether every
 * stream's first event gets through, and how fast. Raw sockets rather than an HTTP client, so that a stream
 * that never answers can be described exactly: connected or not, status line or not, what bytes arrived.
 * <pre>
 * java -cp benchmarks.jar dev.tollgate.bench.SseScaleProbe --port P [--path /mcp] [--streams N] [--timeout S]
 *     [--pid GATEWAY_PID] [--label NAME] [--max-connecting N] [--metrics-url URL] [--tsv FILE] [--stalled-file FILE] [--hold S]
 * </pre>
 * Times are from the start of the run (the first connect). Connects are started as fast as they complete,
 * with at most {@code --max-connecting} pending at once (default 512) so the listen backlog, not SYN retries,
 * sets the pace.
 */
public final class SseScaleProbe {

    record Options(int port, String path, int streams, int timeoutSeconds, long pid, String label, int maxConnecting,
                   String metricsUrl, Path tsv, Path stalledFile, int holdSeconds) {
        static Options parse(String[] args) {
            int port = 0, streams = 8000, timeout = 120, maxConnecting = 512, hold = 0;
            long pid = 0;
            String path = "/mcp", label = "target", metricsUrl = null;
            Path tsv = null, stalled = null;
            for (int i = 0; i + 1 < args.length; i += 2) {
                String v = args[i + 1];
                switch (args[i]) {
                    case "--port" -> port = Integer.parseInt(v);
                    case "--path" -> path = v;
                    case "--streams" -> streams = Integer.parseInt(v);
                    case "--timeout" -> timeout = Integer.parseInt(v);
                    case "--pid" -> pid = Long.parseLong(v);
                    case "--label" -> label = v;
                    case "--max-connecting" -> maxConnecting = Integer.parseInt(v);
                    case "--metrics-url" -> metricsUrl = v;
                    case "--tsv" -> tsv = Path.of(v);
                    case "--stalled-file" -> stalled = Path.of(v);
                    case "--hold" -> hold = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (port == 0 || streams < 1) {
                throw new IllegalArgumentException("--port is required, --streams >= 1");
            }
            return new Options(port, path, streams, timeout, pid, label, maxConnecting, metricsUrl, tsv, stalled, hold);
        }
    }

    /** One stream's progress, in nanoseconds since the run started (0: not yet). Written on its socket's event loop only. */
    static final class Stream {
        long connectedAt, statusAt, firstEventAt;
        int status;
        String failure;
        int localPort;
        long bytes;
        StringBuilder head = new StringBuilder();
        NetSocket socket;
    }

    /**
     * A call that asks for progress under the upstream's token, as a client that wants progress does: the upstream's
     * first event is a progress notification, which a gateway relays only to the call that named its token (without it
     * every first event was dropped as foreign_progress_token, and every stream looked stalled).
     */
    static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
            + "\"arguments\":{\"text\":\"hello\"},\"_meta\":{\"progressToken\":\"" + SseUpstream.PROGRESS_TOKEN + "\"}}}";

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(60_000).setTcpNoDelay(true));
        byte[] requestBody = CALL.getBytes(StandardCharsets.UTF_8);
        Buffer request = Buffer.buffer("POST " + o.path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + o.port()
                + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                + "MCP-Protocol-Version: 2025-11-25\r\nContent-Length: " + requestBody.length + "\r\n\r\n").appendBytes(requestBody);

        Stream[] streams = new Stream[o.streams()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new Stream();
        }
        long rssBefore = rssKib(o.pid());
        ProcessCpu cpuBefore = ProcessCpu.of(o.pid());
        long[] rssPeak = {rssBefore};
        AtomicInteger withFirstEvent = new AtomicInteger();
        CountDownLatch allFirstEvents = new CountDownLatch(o.streams());
        AtomicInteger nextIndex = new AtomicInteger();
        long start = System.nanoTime();
        long sampler = vertx.setPeriodic(100, id -> rssPeak[0] = Math.max(rssPeak[0], rssKib(o.pid())));

        Runnable[] openNext = new Runnable[1];
        openNext[0] = () -> {
            int i = nextIndex.getAndIncrement();
            if (i >= streams.length) {
                return;
            }
            Stream s = streams[i];
            client.connect(o.port(), "127.0.0.1").onComplete(connected -> {
                openNext[0].run();
                if (connected.failed()) {
                    s.failure = "connect: " + connected.cause();
                    return;
                }
                NetSocket socket = connected.result();
                s.socket = socket;
                s.connectedAt = System.nanoTime() - start;
                s.localPort = socket.localAddress().port();
                socket.handler(data -> {
                    s.bytes += data.length();
                    if (s.firstEventAt != 0) {
                        return;
                    }
                    s.head.append(data.toString(StandardCharsets.UTF_8));
                    if (s.statusAt == 0 && s.head.indexOf("\r\n") > 0) {
                        s.statusAt = System.nanoTime() - start;
                        String[] statusLine = s.head.substring(0, s.head.indexOf("\r\n")).split(" ");
                        s.status = statusLine.length > 1 && statusLine[1].matches("\\d{3}") ? Integer.parseInt(statusLine[1]) : -1;
                    }
                    int body = s.head.indexOf("\r\n\r\n");
                    int data0 = body < 0 ? -1 : s.head.indexOf("data:", body);
                    if (data0 >= 0 && s.head.indexOf("\n\n", data0) > 0) {
                        s.firstEventAt = System.nanoTime() - start;
                        s.head = null;
                        withFirstEvent.incrementAndGet();
                        allFirstEvents.countDown();
                    }
                });
                socket.closeHandler(v -> {
                    if (s.firstEventAt == 0 && s.failure == null) {
                        s.failure = "closed by the peer";
                    }
                });
                socket.write(request);
            });
        };
        vertx.runOnContext(v -> {
            for (int k = 0; k < Math.min(o.maxConnecting(), streams.length); k++) {
                openNext[0].run();
            }
        });

        boolean all = allFirstEvents.await(o.timeoutSeconds(), TimeUnit.SECONDS);
        long allAt = System.nanoTime() - start;
        // First events that arrive after this (while the metrics are read) do not count: the timeout is the limit.
        long cutoff = allAt;
        rssPeak[0] = Math.max(rssPeak[0], rssKib(o.pid()));
        ProcessCpu cpu = ProcessCpu.of(o.pid()).since(cpuBefore);
        vertx.cancelTimer(sampler);
        String metrics = o.metricsUrl() == null ? "" : metricLines(o.metricsUrl());

        // Read the per-stream state on the event loops that write it: one pass per loop would be exact,
        // a short pause is enough here since the outcome is settled (every stream counted or timed out).
        Thread.sleep(200);
        int opened = 0, withStatus = 0;
        long[] ttfe = new long[streams.length];
        int n = 0;
        for (Stream s : streams) {
            if (s.connectedAt != 0) {
                opened++;
            }
            if (s.statusAt != 0 || s.firstEventAt != 0) {
                withStatus++;
            }
            if (s.firstEventAt != 0 && s.firstEventAt <= cutoff) {
                ttfe[n++] = s.firstEventAt;
            }
        }
        Arrays.sort(ttfe, 0, n);
        int none = streams.length - n;
        double p50 = n == 0 ? Double.NaN : ttfe[(int) Math.min(n - 1, Math.ceil(0.50 * n) - 1)] / 1e6;
        double p99 = n == 0 ? Double.NaN : ttfe[(int) Math.min(n - 1, Math.ceil(0.99 * n) - 1)] / 1e6;
        double lastMs = n == 0 ? Double.NaN : ttfe[n - 1] / 1e6;
        long delta = rssPeak[0] - rssBefore;
        double perStreamKib = o.pid() > 0 ? (double) delta / streams.length : Double.NaN;
        System.out.printf(Locale.ROOT, "%-12s streams %5d  connected %5d  answered %5d  first event %5d  none after %ds %5d"
                        + "  all first events in %s ms  ttfe p50 %.1f p99 %.1f ms  RSS before %.1f MB peak %.1f MB (%.1f KB/stream)%n",
                o.label(), streams.length, opened, withStatus, n, o.timeoutSeconds(), none,
                all ? String.format(Locale.ROOT, "%.0f", lastMs) : "NOT ALL (" + Math.round(allAt / 1e6) + " ms waited)",
                p50, p99, rssBefore / 1024.0, rssPeak[0] / 1024.0, perStreamKib);
        if (o.pid() > 0) {
            System.out.printf(Locale.ROOT, "  CPU of the streams' holder until then: %.1f s, of which its JIT compilers %.1f s (%.0f %%)%n",
                    cpu.totalSeconds(), cpu.compilerSeconds(), cpu.totalTicks() == 0 ? 0.0 : 100.0 * cpu.compilerTicks() / cpu.totalTicks());
        }
        if (!metrics.isEmpty()) {
            System.out.print(metrics.lines().map(l -> "  gateway metric at peak: " + l + "\n").reduce("", String::concat));
        }
        if (o.tsv() != null) {
            Files.writeString(o.tsv(), String.format(Locale.ROOT, "%s\t%d\t%d\t%d\t%d\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f%n",
                    o.label(), streams.length, opened, n, none, all ? String.format(Locale.ROOT, "%.0f", lastMs) : "NA",
                    p50, p99, rssBefore / 1024.0, rssPeak[0] / 1024.0, perStreamKib),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        if (none > 0) {
            describeStalled(streams, o, none, cutoff);
        }
        if (o.holdSeconds() > 0) {
            // Streams stay open so that the holder's heap can be inspected (jmap -histo:live, jcmd GC.heap_info).
            System.out.printf(Locale.ROOT, "holding the streams open for %d s%n", o.holdSeconds());
            Thread.sleep(o.holdSeconds() * 1000L);
        }
        client.close();
        vertx.close();
        System.exit(0);
    }

    /** Everything the probe knows about the streams that never got their first event: the engineer's starting point. */
    private static void describeStalled(Stream[] streams, Options o, int none, long cutoff) throws IOException {
        int notConnected = 0, noStatus = 0, statusNoEvent = 0, closed = 0, late = 0;
        java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (Stream s : streams) {
            if (s.firstEventAt != 0 && s.firstEventAt <= cutoff) {
                continue;
            }
            if (s.firstEventAt != 0) {
                late++;
            }
            if (s.statusAt != 0) {
                statuses.merge(s.status, 1, Integer::sum);
            }
            if (s.connectedAt == 0) {
                notConnected++;
            } else if (s.statusAt == 0) {
                noStatus++;
            } else {
                statusNoEvent++;
            }
            if ("closed by the peer".equals(s.failure)) {
                closed++;
            }
        }
        System.out.printf("  STALLED %d: never connected %d, connected but no status line %d, status line but no event %d "
                + "(their HTTP status: count %s), closed by the peer %d, first event after the timeout %d%n",
                none, notConnected, noStatus, statusNoEvent, statuses, closed, late);
        if (o.stalledFile() == null) {
            return;
        }
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(o.stalledFile()))) {
            out.println("# index\tlocal_port\tconnected_ms\tstatus_ms\tstatus\tfirst_event_ms\tbytes\tfailure\tfirst bytes received");
            for (int i = 0; i < streams.length; i++) {
                Stream s = streams[i];
                if (s.firstEventAt != 0 && s.firstEventAt <= cutoff) {
                    continue;
                }
                String head = s.head == null ? "" : s.head.substring(0, Math.min(300, s.head.length()));
                out.printf(Locale.ROOT, "%d\t%d\t%.1f\t%.1f\t%d\t%.1f\t%d\t%s\t%s%n", i, s.localPort, s.connectedAt / 1e6, s.statusAt / 1e6,
                        s.status, s.firstEventAt / 1e6, s.bytes, s.failure, head.replace("\r", "\\r").replace("\n", "\\n"));
            }
        }
        System.out.println("  stalled streams listed in " + o.stalledFile());
    }

    private static String metricLines(String url) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return response.body().lines()
                    .filter(l -> !l.startsWith("#"))
                    .filter(l -> l.contains("sse_streams_open") || l.contains("rejects_total") || l.contains("client_aborts"))
                    // a counter at zero says nothing: keep the ones that moved
                    .filter(l -> !l.endsWith(" 0.0"))
                    .reduce("", (a, b) -> a + b + "\n");
        } catch (IOException | InterruptedException e) {
            return "metrics unavailable: " + e + "\n";
        }
    }

    static long rssKib(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
