package dev.tollgate.bench;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.identity.DevPki;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * mTLS handshakes per second against a gateway listener with SPIFFE SVIDs, OpenSSL (BoringSSL) against the
 * JDK engine, full handshakes against resumed sessions (the client's session invalidated after each
 * handshake, or kept). The client is the JDK's TLS in this same process, so it shares the cores: compare the
 * engines with each other, not with absolute figures elsewhere.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class TlsHandshakeBenchmark {

    @Param({"openssl", "jdk"})
    String engine;

    @Param({"new", "resumed"})
    String session;

    private Vertx vertx;
    private Gateway gateway;
    private SSLContext client;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("tls-bench");
        DevPki.Issued ca = DevPki.ca("bench.example");
        Path[] server = DevPki.write(dir, "gateway", DevPki.svid(ca, "spiffe://bench.example/tollgate"));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        String yaml = """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [bench.example], engine: %s}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:9/mcp", policy: p}]
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), engine, dir.resolve("policies"));
        vertx = Vertx.vertx();
        gateway = Gateway.start(vertx, ConfigLoader.parse(yaml, "bench.yaml"), 1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        client = DevPki.clientContext(DevPki.svid(ca, "spiffe://bench.example/agents/bench"), ca.certificate());
    }

    @Benchmark
    public boolean handshake() throws Exception {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", gateway.port())) {
            socket.startHandshake();
            // TLS 1.3 delivers its session ticket after the handshake: read nothing, but let it arrive before closing.
            boolean valid = socket.getSession().isValid();
            if (session.equals("new")) {
                socket.getSession().invalidate();
            }
            return valid;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
