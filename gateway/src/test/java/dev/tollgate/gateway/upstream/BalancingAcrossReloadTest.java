package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * Fix S (review AY, findings 2 and 5): a route's instances across reloads. The balancing turn is kept per route name
 * when a reload keeps the route's instances, and a call of a route the reload removed finishes on its own instances
 * without bringing their meters back.
 */
class BalancingAcrossReloadTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

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
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml("1s", true));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        a.close();
        b.close();
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aReloadThatKeepsTheRoutesInstancesGoesOnWithItsTurn() throws Exception {
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        assertThat(a.received()).hasSize(1);

        Files.writeString(config, yaml("2s", true));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();

        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        assertThat(b.received()).as("the next turn after the reload is instance b's").hasSize(1);
        assertThat(a.received()).hasSize(1);
    }

    @Test
    void aCallOfARouteTheReloadRemovedFinishesOnItsInstancesWithoutBringingTheirMetersBack() throws Exception {
        String aSeries = "tollgate_upstream_healthy{route=\"tools\",upstream=\"" + a.url("/mcp") + "\"}";
        assertThat(gateway.metrics().scrape()).contains(aSeries);
        byte[] body = CALL.getBytes(StandardCharsets.UTF_8);
        try (Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.port() + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nContent-Length: " + body.length + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The 100 Continue says the gateway holds the call under the configuration it arrived in: only then is the
            // reload certain to come between the call's head and its body.
            InputStream in = client.getInputStream();
            assertThat(readStatusLine(in)).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(readStatusLine(in)).as("the blank line ending the interim response").isEmpty();
            Files.writeString(config, yaml("1s", false));
            ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
            assertThat(result.applied()).as(result.toString()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !gateway.metrics().scrape().contains(aSeries));
            out.write(body);
            out.flush();
            assertThat(readStatusLine(in)).isEqualTo("HTTP/1.1 200 OK");
        }
        assertThat(a.received().size() + b.received().size()).as("the call ran on the configuration it started with").isEqualTo(1);
        assertThat(gateway.metrics().scrape()).doesNotContain(aSeries)
                .doesNotContain("tollgate_upstream_healthy{route=\"tools\",upstream=\"" + b.url("/mcp") + "\"}");
    }

    private static String readStatusLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().strip();
    }

    private String yaml(String connectTimeout, boolean withTools) {
        String tools = """
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    connect-timeout: %s
                    upstreams: [{url: "%s"}, {url: "%s"}]
                    balance: round-robin
                """.formatted(connectTimeout, a.url("/mcp"), b.url("/mcp"));
        String other = """
                  - name: other
                    path: /other
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                """.formatted(b.url("/other"));
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                %s%s""".formatted(dir.resolve("policies"), withTools ? tools : "", other);
    }
}
