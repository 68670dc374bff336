package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing exhausts the gateway without making calls: connections that never finish their headers, trickle
 * a body or sit idle are closed after their timeouts (and the upstream sees nothing of them), a quiet SSE
 * stream is not mistaken for an idle connection, and calls in flight are limited per route and per caller
 * with 429s that leave other callers served.
 */
class ExhaustionTest {


    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private RunningGateway gateway;
    private TenantTokens tokens;
    /** Answers the upstream holds until the test releases them. */
    private final List<Promise<Void>> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
    }

    @AfterEach
    void stop() throws Exception {
        held.forEach(p -> p.tryComplete());
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private void startGateway(String limits, String routeExtras, boolean axid) throws Exception {
        String identity = axid ? tokens.identityYaml() : "";
        String yaml = RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p", identity + "limits: " + limits);
        gateway = RunningGateway.start(vertx, routeExtras == null ? yaml : yaml.replace("policy: p}", "policy: p, " + routeExtras + "}"));
    }

    @Test
    void aConnectionThatNeverFinishesItsHeadersIsClosed() throws Exception {
        startGateway("{header-timeout: 300ms}", null, false);

        try (Socket socket = connect()) {
            socket.getOutputStream().write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            assertThat(readUntilClosed(socket.getInputStream(), Duration.ofSeconds(5))).as("closed, nothing answered").isEmpty();
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAndOneIdleAfterACallToo() throws Exception {
        // Timeouts of a second: the kept-alive call must get its head in and its answer out before either fires, which a
        // loaded machine might not do in 300 ms; the silent connection is closed all the same, a little later.
        startGateway("{header-timeout: 1s, idle-timeout: 1s}", null, false);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));

        try (Socket silent = connect()) {
            assertThat(readUntilClosed(silent.getInputStream(), Duration.ofSeconds(5))).isEmpty();
        }
        try (Socket keptAlive = connect()) {
            byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
            keptAlive.getOutputStream().write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            keptAlive.getOutputStream().write(body);
            keptAlive.getOutputStream().flush();

            String answer = readUntilClosed(keptAlive.getInputStream(), Duration.ofSeconds(5));
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"result\"");
        }
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void aQuietStreamOutlivesTheIdleTimeout() throws Exception {
        startGateway("{header-timeout: 300ms, idle-timeout: 300ms}", null, false);
        upstream.answer(r -> {
            r.response().setChunked(true).putHeader("Content-Type", "text/event-stream").write(": open\n\n");
            vertx.setTimer(1200, id -> r.response().end("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"late\":true}}\n\n"));
        });

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("\"late\":true");
    }

    @Test
    void aTrickledBodyIsAnsweredWith408AndNeverForwarded() throws Exception {
        startGateway("{body-timeout: 400ms}", null, false);

        try (Socket socket = connect()) {
            socket.getOutputStream().write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nContent-Length: 4000000\r\n\r\n{\"jsonrpc\":").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = readUntilClosed(socket.getInputStream(), Duration.ofSeconds(5));
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"reason\":\"body_timeout\"").contains("limits.body-timeout");
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aLargeBodyAnsweredBeforeItIsReadIsNotWaitedForTheConnectionCloses() throws Exception {
        startGateway("{}", null, true);

        try (Socket socket = connect()) {
            // No AXID: refused before the body is read; the 4 MB it promises are never waited for.
            socket.getOutputStream().write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nContent-Length: 4000000\r\n\r\n{\"jsonrpc\":").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = readUntilClosed(socket.getInputStream(), Duration.ofSeconds(5));
            assertThat(answer).startsWith("HTTP/1.1 401").contains("axid_missing");
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void callsInFlightAreLimitedPerCallerAndPerRouteAndSlotsComeBack() throws Exception {
        startGateway("{}", "max-concurrent-calls: 3, max-concurrent-calls-per-caller: 2", true);
        upstream.answer(r -> {
            Promise<Void> release = Promise.promise();
            held.add(release);
            release.future().onComplete(v -> r.response().putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
        });

        List<CompletableFuture<TestHttp.Reply>> acme = List.of(callAsync("acme"), callAsync("acme"));
        awaitHeld(2);
        TestHttp.Reply thirdFromAcme = call("acme");
        CompletableFuture<TestHttp.Reply> globex = callAsync("globex");
        awaitHeld(3);
        TestHttp.Reply fromInitech = call("initech");

        assertThat(thirdFromAcme.status()).isEqualTo(429);
        assertThat(thirdFromAcme.reason()).isEqualTo("caller_concurrency_limit");
        assertThat(thirdFromAcme.headers().get("Retry-After")).isEqualTo("1");
        assertThat(fromInitech.status()).isEqualTo(429);
        assertThat(fromInitech.reason()).isEqualTo("route_concurrency_limit");
        assertThat(upstream.received()).as("refused calls never reach the upstream").hasSize(3);

        held.forEach(Promise::tryComplete);
        for (CompletableFuture<TestHttp.Reply> admitted : List.of(acme.get(0), acme.get(1), globex)) {
            assertThat(admitted.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        // Every slot is given back once its call completes: the same callers are admitted again.
        held.clear();
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
        assertThat(call("acme").status()).isEqualTo(200);
        assertThat(call("initech").status()).isEqualTo(200);
        // A slot is given back when the exchange completes, just after the client has its answer.
        var counts = gateway.gateway().services().concurrentCalls();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(counts.inFlight("upstream")).isZero();
            assertThat(counts.callersInFlight()).isZero();
        });
    }

    @Test
    void maxConcurrentCallsAboveThePoolIsAConfigurationError() {
        String yaml = RunningGateway.mcpYaml("http://127.0.0.1:1/mcp", dir.resolve("policies"), "p", null)
                .replace("policy: p}", "policy: p, max-connections: 4, max-concurrent-calls: 5}");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.tollgate.gateway.config.ConfigLoader.parse(yaml, "t.yaml", Map.of()))
                .hasMessageContaining("max-concurrent-calls").hasMessageContaining("at most max-connections (4)");
    }

    private void awaitHeld(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (held.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(held).hasSize(count);
    }

    private CompletableFuture<TestHttp.Reply> callAsync(String tenant) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call(tenant);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private TestHttp.Reply call(String tenant) throws Exception {
        String token = tokens.token(tenant, "a");
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", gateway.port());
        socket.setSoTimeout(200);
        return socket;
    }

    /** Everything the server sends until it closes the connection; fails if it is still open after {@code within}. */
    private static String readUntilClosed(InputStream in, Duration within) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + within.toNanos();
        byte[] buffer = new byte[8192];
        while (System.nanoTime() < deadline) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return out.toString(StandardCharsets.UTF_8);
                }
                out.write(buffer, 0, n);
            } catch (SocketTimeoutException stillOpen) {
                // keep waiting
            } catch (java.net.SocketException reset) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("the connection is still open after " + within + "; received: " + out.toString(StandardCharsets.UTF_8));
    }
}
