package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revJ): McpResponseFilter takes its policy once, from the exchange's snapshot ({@code this.policy =
 * exchange.policy()}), and decides every server-to-client request and result on the stream with it for the stream's
 * whole life. The session's GET stream (the one a client keeps open for hours to receive sampling and elicitation
 * requests) therefore goes on deciding under the policy it was opened with after a reload that tightened it: the
 * operator denies {@code sampling/createMessage}, the reload is applied, and a sampling request the server sends a
 * minute later on the old stream is relayed to the client; on a stream opened after the reload it is withheld.
 * "Requests already running finish on the snapshot they started with" is about a request's own decision; the server's
 * request is a new decision, made after the reload, under a policy that no longer serves.
 * Should be: messages decided on a stream read the current snapshot's policy for the route (or a reload ends the streams
 * opened under the old one).
 *
 * <p>Fixed: a server's request on a stream is decided on the route's policy serving now (Exchange.currentPolicy). Result
 * rules on a stream still follow the configuration the stream opened under.
 */
class StreamAcrossReloadReviewTest {

    private static final String ALLOW = "name: p\ndefaults: {action: allow}\nrules: []\n";
    private static final String NO_SAMPLING = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-sampling
                condition: {all: [{direction: server_to_client}, {method: sampling/createMessage}]}
                action: deny
                message: sampling is off
            """;
    private static final String SAMPLING = "data: {\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"sampling/createMessage\",\"params\":"
            + "{\"messages\":[],\"maxTokens\":10}}\n\n";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private TestHttp http;
    private final List<HttpServerResponse> upstreamStreams = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            if (request.method() == HttpMethod.GET) {
                // The session's stream: open, nothing yet; the test writes on it later.
                request.response().setChunked(true).putHeader("Content-Type", "text/event-stream").write(": open\n\n");
                upstreamStreams.add(request.response());
            } else {
                request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"result\":{}}");
            }
        });
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), ALLOW);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                %s
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(TestSessions.YAML, upstream.url("/mcp")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        upstreamStreams.forEach(r -> {
            try {
                r.end();
            } catch (RuntimeException ignored) {
                // already closed
            }
        });
        watcher.close();
        http.close();
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Opens the session's GET stream through the gateway; what the client receives is appended to the list. */
    private List<String> openStream(String session) {
        List<String> chunks = new CopyOnWriteArrayList<>();
        int before = upstreamStreams.size();
        RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("Mcp-Session-Id", TestSessions.sealed("upstream", session));
        // The handler is set as the head arrives (see TestHttp.exchange): set later, it could miss the ": open" comment.
        TestHttp.readStream(http.raw(), get, null, resp -> resp.handler(chunk -> chunks.add(chunk.toString())));
        await().atMost(Duration.ofSeconds(10)).until(() -> upstreamStreams.size() == before + 1 && String.join("", chunks).contains(": open"));
        return chunks;
    }

    @Test
    void aSamplingRequestOnAStreamOpenedBeforeAReloadThatDeniesSamplingIsWithheld() throws Exception {
        List<String> openedBefore = openStream("s-1");

        Files.writeString(dir.resolve("policies/p.yaml"), NO_SAMPLING);
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).isTrue();
        List<String> openedAfter = openStream("s-2");

        upstreamStreams.get(1).write(SAMPLING);
        upstreamStreams.get(0).write(SAMPLING);
        // Control: the stream opened after the reload is decided under the new policy (the sampling request withheld and
        // answered to the upstream with the policy's error).
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.received().stream().filter(r -> r.method() == HttpMethod.POST).count() >= 1);
        Thread.sleep(500);
        assertThat(String.join("", openedAfter)).doesNotContain("sampling/createMessage");

        assertThat(String.join("", openedBefore)).as("the server's sampling request, sent after the reload that denies it")
                .doesNotContain("sampling/createMessage");
    }
}
