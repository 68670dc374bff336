package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BB (fixes R and S together): a session sealed to instance a is checked by SessionStage against the route of
 * the request's own snapshot ({@code holdsInstance}: a is listed there), while UpstreamCall balances it over the SERVING
 * set (Upstreams.of, fix S), where a is gone: {@code instances.byUrl(a)} is null and attemptFirst silently picks
 * another instance, sending it a's upstream session id. A request started before the reload that replaced a (its body
 * arrives after it) thus carries a's session to b, where the same request started after the reload gets 404
 * session_not_found (fix R). The pin is dropped instead of failing closed.
 * Fix: in UpstreamCall.attemptFirst, a pinned instance the set does not hold is "session not found" (or for a task,
 * not found), never a reason to balance.
 */
class StaleCallSessionOnNewInstanceReviewBBTest {

    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\",\"params\":{}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private Path config;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private RecordingUpstream a;
    private RecordingUpstream b;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        a = new RecordingUpstream(vertx);
        b = new RecordingUpstream(vertx);
        a.answerAsTaskServer("sess-a");
        b.answerAsTaskServer("sess-b");
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml("upstream: \"%s\"".formatted(a.url("/mcp"))));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    @AfterEach
    void stop() throws Exception {
        watcher.close();
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        a.close();
        b.close();
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSessionCallWhoseBodyArrivesAfterTheReloadReplacedItsInstanceIsNotSentToAnotherInstance() throws Exception {
        TestHttp.Reply init = http.postMcp(gateway.port(), "/mcp", INIT);
        assertThat(init.status()).as(init.body().toString()).isEqualTo(200);
        String session = init.headers().get("Mcp-Session-Id");
        assertThat(session).as("the gateway's sealed session").isNotNull().isNotEqualTo("sess-a");

        byte[] body = CALL.getBytes(StandardCharsets.UTF_8);
        String status;
        try (Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.port() + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nMcp-Protocol-Version: 2025-06-18\r\nMcp-Session-Id: " + session
                    + "\r\nContent-Length: " + body.length + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The 100 Continue says the gateway holds the call under the configuration it arrived in: only then is the
            // reload certain to come between the call's head and its body.
            InputStream in = client.getInputStream();
            assertThat(readStatusLine(in)).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(readStatusLine(in)).as("the blank line ending the interim response").isEmpty();
            // The operator replaces instance a with b.
            Files.writeString(config, yaml("upstream: \"%s\"".formatted(b.url("/mcp"))));
            ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
            assertThat(result.applied()).as(result.toString()).isTrue();
            out.write(body);
            out.flush();
            status = readStatusLine(in);
        }
        assertThat(status).startsWith("HTTP/1.1 ");
        assertThat(b.received()).as("requests b received carrying instance a's session")
                .noneMatch(received -> "sess-a".equals(received.headers().get("Mcp-Session-Id")));
    }

    private static String readStatusLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().strip();
    }

    private String yaml(String upstreamYaml) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    connect-timeout: 1s
                %s
                """.formatted(dir.resolve("policies"), upstreamYaml.indent(4).stripTrailing());
    }
}
