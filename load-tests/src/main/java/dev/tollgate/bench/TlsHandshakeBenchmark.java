package dev.tollgate.bench;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.identity.DevPki;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * mTLS connections against gateway listeners with SPIFFE SVIDs: OpenSSL (BoringSSL) against the JDK engine,
 * full handshakes against resumed sessions. Each connection completes the handshake and exchanges one small
 * request (a 404, no upstream), so that the TLS 1.3 session ticket, sent after the handshake, is read and
 * can be resumed. "new" empties the client's session cache first; "resumed" keeps it.
 *
 * <p>Why one benchmark doing the four variants in turn rather than four JMH runs: the client shares the
 * machine with the gateway (and, on a shared box, with whatever else runs), and load that drifts between
 * separate runs made one engine look faster or slower by chance, with error bars larger than the scores.
 * Interleaving the variants, connection by connection in a rotating order, exposes them to the same load;
 * each connection's time goes to its variant's histogram, and the closing report gives medians and the
 * ratios (OpenSSL/JDK, resumed/new) in connections per second. JMH's own score is rounds (four
 * connections) per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 20, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+UseParallelGC"})
@Threads(1)
public class TlsHandshakeBenchmark {

    private static final byte[] REQUEST = "GET /bench-404 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final long MAX_RECORDED_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** One engine and session mode: its listener port, its client, its timings. */
    private static final class Variant {
        final String name;
        final int port;
        final SSLContext client;
        final boolean resume;
        final Histogram nanos = new Histogram(MAX_RECORDED_NANOS, 3);

        Variant(String name, int port, SSLContext client, boolean resume) {
            this.name = name;
            this.port = port;
            this.client = client;
            this.resume = resume;
        }
    }

    private Vertx vertx;
    private Gateway gateway;
    private Variant[] variants;
    private boolean recording;
    private int turn;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("tls-bench");
        DevPki.Issued ca = DevPki.ca("bench.example");
        Path[] server = DevPki.write(dir, "gateway", DevPki.svid(ca, "spiffe://bench.example/tollgate"));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        String tls = "{cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [bench.example], engine: %%s}"
                .formatted(server[0], server[1], dir.resolve("bundle.pem"));
        String yaml = """
                listeners:
                  - {name: openssl, host: 127.0.0.1, port: 0, tls: %s}
                  - {name: jdk, host: 127.0.0.1, port: 0, tls: %s}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:9/mcp", policy: p}]
                """.formatted(tls.formatted("openssl"), tls.formatted("jdk"), dir.resolve("policies"));
        vertx = Vertx.vertx();
        gateway = Gateway.start(vertx, ConfigLoader.parse(yaml, "bench.yaml"), 1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        DevPki.Issued clientSvid = DevPki.svid(ca, "spiffe://bench.example/agents/bench");
        int openssl = gateway.ports().get(0);
        int jdk = gateway.ports().get(1);
        // One client context per variant: emptying the "new" variants' caches must not touch the resumed ones.
        variants = new Variant[]{
                new Variant("openssl/new", openssl, DevPki.clientContext(clientSvid, ca.certificate()), false),
                new Variant("openssl/resumed", openssl, DevPki.clientContext(clientSvid, ca.certificate()), true),
                new Variant("jdk/new", jdk, DevPki.clientContext(clientSvid, ca.certificate()), false),
                new Variant("jdk/resumed", jdk, DevPki.clientContext(clientSvid, ca.certificate()), true)};
        // Say whether each mode measures what it claims: a resumed session keeps its first creation time.
        for (Variant v : variants) {
            boolean resumed = connect(v) == connect(v);
            if (resumed != v.resume) {
                throw new IllegalStateException(v.name + ": second connection " + (resumed ? "resumed" : "did not resume"));
            }
        }
    }

    /** Histograms keep measurement iterations only. */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        recording = params.getType() == IterationType.MEASUREMENT;
    }

    @Benchmark
    public long round() throws Exception {
        long sum = 0;
        // Rotating start: no variant always runs first (after the pause between rounds) or last.
        turn = (turn + 1) % variants.length;
        for (int i = 0; i < variants.length; i++) {
            Variant v = variants[(turn + i) % variants.length];
            long start = System.nanoTime();
            sum += connect(v);
            if (recording) {
                v.nanos.recordValue(Math.min(System.nanoTime() - start, MAX_RECORDED_NANOS));
            }
        }
        return sum;
    }

    private static long connect(Variant v) throws Exception {
        if (!v.resume) {
            emptySessionCache(v.client);
        }
        try (SSLSocket socket = (SSLSocket) v.client.getSocketFactory().createSocket("127.0.0.1", v.port)) {
            socket.setTcpNoDelay(true);
            socket.startHandshake();
            socket.getOutputStream().write(REQUEST);
            readResponse(socket.getInputStream());
            return socket.getSession().getCreationTime();
        }
    }

    private static void emptySessionCache(SSLContext client) {
        SSLSessionContext cache = client.getClientSessionContext();
        for (Enumeration<byte[]> ids = cache.getIds(); ids.hasMoreElements(); ) {
            SSLSession cached = cache.getSession(ids.nextElement());
            if (cached != null) {
                cached.invalidate();
            }
        }
    }

    /** Reads the head and the Content-Length body; not until EOF, which would time the server's close too. */
    private static void readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the response head ended: " + head);
            }
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length:");
        if (at < 0) {
            throw new IOException("no Content-Length in " + head);
        }
        in.readNBytes(Integer.parseInt(lower.substring(at + "content-length:".length(), lower.indexOf("\r\n", at)).trim()));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        System.out.printf("%n[tls-bench] per connection (handshake + one small request), measurement iterations only:%n");
        for (Variant v : variants) {
            System.out.printf("[tls-bench] %-16s n=%d p50=%.2f ms p90=%.2f ms -> %.0f conn/s at p50%n", v.name, v.nanos.getTotalCount(),
                    v.nanos.getValueAtPercentile(50) / 1e6, v.nanos.getValueAtPercentile(90) / 1e6, 1e9 / v.nanos.getValueAtPercentile(50));
        }
        System.out.printf("[tls-bench] OpenSSL/JDK, new: %.2f   resumed: %.2f%n", ratio(variants[2], variants[0]), ratio(variants[3], variants[1]));
        System.out.printf("[tls-bench] resumed/new, OpenSSL: %.2f   JDK: %.2f%n", ratio(variants[0], variants[1]), ratio(variants[2], variants[3]));
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** How many times faster {@code faster} connects than {@code slower}, by their medians. */
    private static double ratio(Variant slower, Variant faster) {
        return (double) slower.nanos.getValueAtPercentile(50) / faster.nanos.getValueAtPercentile(50);
    }
}
