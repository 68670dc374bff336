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
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BB (fix S): a call of an older snapshot (its body arrived after a reload) is now balanced over the SERVING
 * instances of its route name (Upstreams.of), but everything else about it still comes from its own, older route
 * config: UpstreamCall.send sets {@code oauth.upstream-credential} (and picks the HTTP client, so upstream-tls and its
 * client certificate) from {@code exchange.route().route().config()}. A reload that moves a route from server a (with
 * a's credential) to server b (with b's) sends such a call to b carrying a's secret: a credential leaked to a server the
 * operator never gave it to, which is neither the old configuration nor the new one. Before fix S the call stayed whole
 * on the old configuration (a, with a's secret).
 * Fix: resolve a stale call's instances and its per-route settings from one route object: either the old route's own
 * (detached) instances, or the serving route's config (credential, TLS client) together with its serving set, or
 * refuse the call when the route's upstreams changed.
 */
class StaleCallCredentialOnNewInstanceReviewBBTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private MockOAuth2Server authorizationServer;
    private Path config;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private RecordingUpstream a;
    private RecordingUpstream b;
    private int port;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        a = new RecordingUpstream(vertx);
        b = new RecordingUpstream(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        port = freePort();
        Files.writeString(config, yaml(a.url("/mcp"), "Bearer secret-for-a"));
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
        authorizationServer.shutdown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCallWhoseBodyArrivesAfterTheRouteMovedToAnotherServerDoesNotCarryTheOldServersCredentialThere() throws Exception {
        String token = authorizationServer.issueToken("as", "agent-client", new DefaultOAuth2TokenCallback("as", "alice", "JWT",
                List.of("http://127.0.0.1:" + port + "/mcp"), Map.of("scope", "tools:read", "client_id", "agent-client"), 3600))
                .serialize();
        TestHttp.Reply control = http.send(TestHttp.mcpPost(port, "/mcp").putHeader("Authorization", "Bearer " + token), Buffer.buffer(CALL));
        assertThat(control.status()).as(control.body().toString()).isEqualTo(200);
        assertThat(a.received()).hasSize(1);
        assertThat(a.received().get(0).headers().get("Authorization")).as("control: a gets its credential").isEqualTo("Bearer secret-for-a");

        byte[] body = CALL.getBytes(StandardCharsets.UTF_8);
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nAuthorization: Bearer " + token + "\r\nContent-Length: " + body.length
                    + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The 100 Continue says the gateway holds the call (its configuration taken, its credential checked) and now
            // waits for the body: only then is the reload certain to come between the call's head and its body.
            InputStream in = client.getInputStream();
            assertThat(readStatusLine(in)).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(readStatusLine(in)).as("the blank line ending the interim response").isEmpty();
            // The operator moves the route to server b, with b's own credential.
            Files.writeString(config, yaml(b.url("/mcp"), "Bearer secret-for-b"));
            ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
            assertThat(result.applied()).as(result.toString()).isTrue();
            out.write(body);
            out.flush();
            String status = readStatusLine(in);
            assertThat(status).startsWith("HTTP/1.1 ");
            // Refused before anything is sent: the client may send it again, under the configuration serving now.
            assertThat(status).startsWith("HTTP/1.1 503");
        }
        assertThat(b.received()).as("nothing was sent to server b").isEmpty();
        assertThat(a.received()).as("nor to server a, no longer the route's").hasSize(1);
        assertThat(b.received()).as("what server b received").allSatisfy(received ->
                assertThat(received.headers().get("Authorization")).as("the credential server b got").isNotEqualTo("Bearer secret-for-a"));
    }

    private static String readStatusLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().strip();
    }

    private static int freePort() throws Exception {
        return dev.tollgate.gateway.support.TestPorts.unclaimed();
    }

    private String yaml(String upstream, String credential) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: %d}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "http://127.0.0.1:%d/mcp"
                      issuer: "%s"
                      required-scopes: ["tools:read"]
                      upstream-credential: {header: Authorization, value: "%s"}
                """.formatted(port, dir.resolve("policies"), upstream, port,
                authorizationServer.issuerUrl("as").toString().replaceAll("/+$", ""), credential);
    }
}
