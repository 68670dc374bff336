package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RawHttpReply;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix AC (review BH): the client SVID of an mTLS connection is checked again per request against the clock and the
 * listener's current bundle (Workload API listeners included), refused with a stable reason and the connection ended;
 * and the underscore spellings of headers the gateway strips or sets never reach the upstream.
 */
class CallerIdentityFixACTest {

    private static final String GATEWAY_ID = "spiffe://example.org/tollgate";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    Vertx vertx;
    RecordingUpstream upstream;
    DevPki.Issued ca;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        ca = DevPki.ca("example.org");
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** The agent pushes a bundle without the CA that issued an open connection's client SVID: its next call is refused. */
    @Test
    void aWorkloadApiBundleRotationDroppingTheCaRefusesTheOpenConnection() throws Exception {
        DevPki.Issued newCa = DevPki.ca("example.org");
        DevPki.Issued client = DevPki.svid(ca, "spiffe://example.org/agents/planner");
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"),
                FakeWorkloadApi.response(GATEWAY_ID, DevPki.svid(ca, GATEWAY_ID), ca.certificate()));
             RunningGateway gateway = RunningGateway.start(vertx, """
                     listeners:
                       - {name: mtls, host: 127.0.0.1, port: 0, tls: {source: workload-api, socket: "%s", timeout: 2s, trust-domains: [example.org]}}
                     admin: {host: 127.0.0.1, port: 0}
                     policies: {directory: %s}
                     routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all}]
                     """.formatted(agent.address(), dir.resolve("policies"), upstream.url("/mcp")));
             MtlsConnection before = MtlsConnection.open(gateway.port(), client, ca.certificate())) {
            assertThat(before.post("/mcp", CALL)).isEqualTo(200);
            SvidSource source = gateway.gateway().services().svids().get("mtls");
            Object version = source.trustVersion();

            // A rotation of the SVID alone (same CA): a new version, and the open connection is still trusted.
            agent.rotate(FakeWorkloadApi.response(GATEWAY_ID, DevPki.svid(ca, GATEWAY_ID), ca.certificate()));
            await().atMost(Duration.ofSeconds(10)).until(() -> source.trustVersion() != version);
            assertThat(before.post("/mcp", CALL)).as("same CA after the rotation").isEqualTo(200);

            Object rotated = source.trustVersion();
            agent.rotate(FakeWorkloadApi.response(GATEWAY_ID, DevPki.svid(newCa, GATEWAY_ID), newCa.certificate()));
            // The version changes only once the new bundles are in use.
            await().atMost(Duration.ofSeconds(10)).until(() -> source.trustVersion() != rotated);
            int forwarded = upstream.received().size();

            MtlsConnection.Reply refused = before.send("/mcp", CALL);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).contains("svid_untrusted");
            assertThatThrownBy(() -> before.post("/mcp", CALL)).as("the connection was ended").isInstanceOf(IOException.class);
            assertThat(upstream.received()).hasSize(forwarded);
        }
    }

    /** A keep-alive connection past its client SVID's notAfter: 403 svid_expired, then the connection ends. */
    @Test
    void aCallPastTheSvidsExpiryIsRefusedSvidExpiredAndTheConnectionEnds() throws Exception {
        DevPki.Issued server = DevPki.svid(ca, GATEWAY_ID);
        Path[] files = DevPki.write(dir, "gateway", server);
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        try (RunningGateway gateway = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [example.org]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all}]
                """.formatted(files[0], files[1], dir.resolve("bundle.pem"), dir.resolve("policies"), upstream.url("/mcp")))) {
            try (MtlsConnection warm = MtlsConnection.open(gateway.port(), DevPki.svid(ca, "spiffe://example.org/agents/warm"), ca.certificate())) {
                assertThat(warm.post("/mcp", CALL)).isEqualTo(200);
            }
            // Seven to eight seconds for a handshake and a call within the SVID's validity (as CallerIdentityReviewBHTest):
            // three to four were little for a loaded machine, and the check that they sufficed would fail the test.
            Instant notAfter = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
            DevPki.Issued shortLived = DevPki.leaf(ca, List.of("spiffe://example.org/agents/planner"), false,
                    Instant.now().minus(Duration.ofMinutes(5)), notAfter);
            try (MtlsConnection connection = MtlsConnection.open(gateway.port(), shortLived, ca.certificate())) {
                assertThat(connection.post("/mcp", CALL)).isEqualTo(200);
                assertThat(Instant.now()).isBefore(notAfter);
                int forwarded = upstream.received().size();
                // Wall-clock time has to pass: bounded wait until the certificate is past its notAfter.
                Instant deadline = notAfter.plusSeconds(10);
                while (!Instant.now().isAfter(notAfter.plusMillis(500)) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(50);
                }
                MtlsConnection.Reply refused = connection.send("/mcp", CALL);
                assertThat(refused.status()).isEqualTo(403);
                assertThat(refused.body()).contains("svid_expired");
                assertThatThrownBy(() -> connection.post("/mcp", CALL)).as("the connection was ended").isInstanceOf(IOException.class);
                assertThat(upstream.received()).hasSize(forwarded);
            }
        }
    }

    /**
     * {@code X_Waxell_AXID}, {@code X_Forwarded_For}, {@code Mcp_Session_Id}, ... are one header with their dashed names
     * to a CGI, WSGI or Rack upstream ({@code HTTP_X_WAXELL_AXID}): never forwarded. Other underscore names pass.
     */
    @Test
    void underscoreSpellingsOfHeadersTheGatewayStripsOrSetsAreNotForwarded() throws Exception {
        try (RawUpstream raw = new RawUpstream();
             RunningGateway gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + raw.port() + "/mcp", null, null)) {
            byte[] body = CALL.getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Accept: application/json, text/event-stream\r\n"
                        + "X_Waxell_AXID: forged.token.value\r\nX_Forwarded_For: 6.6.6.6\r\nx_real_ip: 6.6.6.6\r\n"
                        + "Mcp_Session_Id: forged-session\r\nLast_Event_ID: forged-event\r\nMCP_PARAM_REGION: eu\r\n"
                        + "Mcp_Protocol_Version: 1999-01-01\r\nTransfer_Encoding: chunked\r\nX_Custom_Thing: kept\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                TestHttp.Reply reply = RawHttpReply.read(socket.getInputStream());
                assertThat(reply.status()).isEqualTo(200);
            }
            // The gateway's own tools list before the first call to the tool (list-unknown-tools), then the call: both carry
            // the caller's end-to-end headers, so neither may carry an underscore spelling of one the gateway strips or sets.
            assertThat(raw.heads).hasSize(2);
            assertThat(raw.bodies.get(0)).contains("\"method\":\"tools/list\"");
            assertThat(raw.bodies.get(1)).contains("\"method\":\"tools/call\"");
            for (String forwarded : raw.heads) {
                List<String> cgi = new ArrayList<>();
                for (String line : forwarded.split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        cgi.add("HTTP_" + line.substring(0, colon).trim().toUpperCase(Locale.ROOT).replace('-', '_') + "=" + line.substring(colon + 1).trim());
                    }
                }
                assertThat(cgi).as("as a CGI upstream reads them").noneMatch(h -> h.startsWith("HTTP_X_WAXELL_AXID="))
                        .noneMatch(h -> h.contains("6.6.6.6"))
                        .noneMatch(h -> h.startsWith("HTTP_MCP_SESSION_ID="))
                        .noneMatch(h -> h.startsWith("HTTP_LAST_EVENT_ID="))
                        .noneMatch(h -> h.startsWith("HTTP_MCP_PARAM_REGION="))
                        .noneMatch(h -> h.startsWith("HTTP_TRANSFER_ENCODING="))
                        .noneMatch(h -> h.equals("HTTP_MCP_PROTOCOL_VERSION=1999-01-01"))
                        .contains("HTTP_X_CUSTOM_THING=kept");
            }
        }
    }

    /**
     * Single-use AXIDs are spent once identity and OAuth both admitted the call: the same token sent first without the
     * route's bearer token (refused by OAuth), then with it, is accepted once; a replay after that is refused.
     */
    @Test
    void aSingleUseTokenIsNotSpentByACallOAuthRefuses() throws Exception {
        no.nav.security.mock.oauth2.MockOAuth2Server authorizationServer = new no.nav.security.mock.oauth2.MockOAuth2Server();
        authorizationServer.start();
        TestHttp http = new TestHttp(vertx);
        try {
            com.nimbusds.jose.jwk.OctetKeyPair key = DevAxid.newKey("k1");
            Files.writeString(dir.resolve("jwks.json"), new com.nimbusds.jose.jwk.JWKSet(key.toPublicJWK()).toString());
            Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("name: allow-all", "name: p"));
            int port = dev.tollgate.gateway.support.OAuthRoutes.freePort();
            String resource = "http://127.0.0.1:" + port + "/mcp";
            String route = dev.tollgate.gateway.support.OAuthRoutes.toolsRoute(upstream.url("/mcp"), resource, authorizationServer).stripTrailing()
                    + "\n    axid: single-use";
            try (RunningGateway gateway = RunningGateway.start(vertx, """
                    listeners: [{name: public, host: 127.0.0.1, port: %d}]
                    admin: {host: 127.0.0.1, port: 0}
                    policies: {directory: %s}
                    identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s}}
                    routes:
                    %s
                    """.formatted(port, dir.resolve("policies"), dir.resolve("jwks.json"), AxidTokens.ISSUER, AxidTokens.AUDIENCE, route))) {
                String axid = AxidTokens.sign(key, h -> h, c -> c.jwtID("once-" + System.nanoTime()), Instant.now());
                String bearer = authorizationServer.issueToken("as", "agent-client", new no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback(
                        "as", "user-7", "JWT", List.of(resource), java.util.Map.of("scope", "tools:read", "client_id", "agent-client"), 300)).serialize();

                TestHttp.Reply noBearer = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", axid),
                        io.vertx.core.buffer.Buffer.buffer(CALL));
                assertThat(noBearer.reason()).isEqualTo("oauth_token_missing");
                TestHttp.Reply admitted = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", axid)
                        .putHeader("Authorization", "Bearer " + bearer), io.vertx.core.buffer.Buffer.buffer(CALL));
                assertThat(admitted.status()).as(admitted.body().toString()).isEqualTo(200);
                TestHttp.Reply replayed = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", axid)
                        .putHeader("Authorization", "Bearer " + bearer), io.vertx.core.buffer.Buffer.buffer(CALL));
                assertThat(replayed.reason()).isEqualTo("axid_replayed");
            }
        } finally {
            http.close();
            authorizationServer.shutdown();
        }
    }

    /** An HTTP/1.1 upstream on a plain socket: records each request head as written, answers one JSON-RPC result. */
    private static final class RawUpstream implements AutoCloseable {
        final List<String> heads = new CopyOnWriteArrayList<>();
        final List<String> bodies = new CopyOnWriteArrayList<>();
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread acceptor;

        RawUpstream() throws IOException {
            acceptor = new Thread(this::serve, "raw-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(10_000);
                    InputStream in = socket.getInputStream();
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    int state = 0;
                    for (int b = in.read(); b >= 0; b = in.read()) {
                        head.write(b);
                        state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
                        if (state == 4) {
                            break;
                        }
                    }
                    String text = head.toString(StandardCharsets.ISO_8859_1);
                    heads.add(text);
                    String lower = text.toLowerCase(Locale.ROOT);
                    int at = lower.indexOf("\r\ncontent-length:");
                    if (at >= 0) {
                        int n = Integer.parseInt(lower.substring(at + 17, lower.indexOf("\r\n", at + 2)).trim());
                        bodies.add(new String(in.readNBytes(n), StandardCharsets.UTF_8));
                    } else {
                        bodies.add("");
                    }
                    byte[] answer = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}".getBytes(StandardCharsets.UTF_8);
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + answer.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(answer);
                    out.flush();
                } catch (IOException e) {
                    // closed, or a connection that went away: next
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
