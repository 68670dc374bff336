package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AY, finding 3 (medium: one caller steers least-requests balancing, and the in-flight metric is wrong): a call
 * whose client hangs up after it was sent keeps running upstream, and the gateway keeps its concurrency slots until the
 * upstream's answer ends (UpstreamCall.outliveTheClient, review Y). But its instance's in-flight count is given back at
 * once: {@code clientGone} completes {@code done}, whose handler {@code release()}s the instance
 * (UpstreamCall.start: {@code done.future().onComplete(v -> release())}). So an instance busy with any number of
 * abandoned tool calls counts 0 in flight: least-requests keeps sending everyone's new calls there as if it were idle
 * (a caller who sends slow calls and hangs up piles work on one instance and every other caller's calls queue behind it),
 * and {@code tollgate_upstream_in_flight} says 0 for an instance running the calls.
 * Fix: release the instance when the abandoned answer has been drained or timed out (upstreamDone in
 * outliveTheClient), not when the client's exchange ends.
 */
class AbandonedCallsInFlightReviewAYTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
    }

    @AfterEach
    void stop() throws Exception {
        held.forEach(r -> {
            try {
                r.connection().close();
            } catch (RuntimeException ignored) {
                // already gone
            }
        });
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void callsRunningForClientsThatHungUpStillCountAsInFlightAndKeepNewCallsAway() throws Exception {
        // Instance "busy" runs a slow tool: it answers nothing while the test runs. Instance "idle" answers at once.
        RecordingUpstream busy = new RecordingUpstream(vertx);
        closing.add(busy);
        busy.answer(held::add);
        RecordingUpstream idle = new RecordingUpstream(vertx);
        closing.add(idle);
        // While the busy instance is loaded the idle one holds its calls too (fixR: once abandoned calls count, least-requests
        // sends nothing more to an instance running one while the other runs none, so both must be busy to load one with 3).
        List<HttpServerRequest> heldByIdle = new CopyOnWriteArrayList<>();
        idle.answer(heldByIdle::add);
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    response-timeout: 60s
                    upstreams: [{url: "%s"}, {url: "%s"}]
                    balance: least-requests
                """.formatted(dir.resolve("policies"), busy.url("/mcp"), idle.url("/mcp")));
        closing.add(gateway);

        // One caller sends slow calls and hangs up as soon as each is forwarded, until three run on the busy instance.
        int sent = 0;
        while (busy.received().size() < 3 && sent < 30) {
            int before = busy.received().size() + idle.received().size();
            try (Socket client = new Socket("127.0.0.1", gateway.port())) {
                byte[] body = CALL.getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.port() + "\r\nContent-Type: application/json\r\n"
                        + "Accept: application/json, text/event-stream\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                await().atMost(Duration.ofSeconds(10)).until(() -> busy.received().size() + idle.received().size() > before);
            }
            sent++;
        }
        assertThat(busy.received()).hasSize(3);
        String inFlight = "tollgate_upstream_in_flight{route=\"tools\",upstream=\"" + busy.url("/mcp") + "\"}";
        // The idle instance finishes its abandoned calls and answers at once from now on: it runs nothing.
        String answer = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}";
        idle.answer(r -> r.response().putHeader("Content-Type", "application/json").end(answer));
        heldByIdle.forEach(r -> r.response().putHeader("Content-Type", "application/json").end(answer));
        String idleInFlight = "tollgate_upstream_in_flight{route=\"tools\",upstream=\"" + idle.url("/mcp") + "\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.gateway().metrics().scrape().contains(idleInFlight + " 0.0"));
        // Its gauge counts the calls it runs (stable: nothing answers them while the test runs).
        String scrape = gateway.gateway().metrics().scrape();
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        soft.assertThat(scrape).as("the busy instance runs 3 calls").contains(inFlight + " 3.0");

        // Everyone else's calls: the busy instance has 3 calls in flight, the idle one none; each goes to the idle one.
        List<CompletableFuture<TestHttp.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int before = busy.received().size() + idle.received().size();
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return http.postMcp(gateway.port(), "/mcp", CALL);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> busy.received().size() + idle.received().size() > before);
        }
        soft.assertThat(busy.received()).as("new calls sent to the instance still running the abandoned ones").hasSize(3);
        soft.assertAll();
    }
}
