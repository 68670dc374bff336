package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BH: caller identity (SPIFFE mTLS, AXID) read past what it should be. Real mTLS handshakes against an mTLS
 * listener fed by PEM SVIDs (BouncyCastle, {@link DevPki}), AXIDs signed with a dev Ed25519 key, a recording upstream.
 */
class CallerIdentityReviewBHTest {

    private static final String TD = "example.org";
    private static final String ALLOW_ALL = "name: p\ndefaults: {action: allow}\nrules: []\n";

    @TempDir
    static Path dir;
    static Vertx vertx;
    static RecordingUpstream upstream;
    static DevPki.Issued ca;
    static Path[] server;
    static OctetKeyPair key;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        ca = DevPki.ca(TD);
        server = DevPki.write(dir, "gateway", DevPki.svid(ca, "spiffe://example.org/tollgate"));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), ALLOW_ALL);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static RunningGateway gateway(String identity, String route) throws Exception {
        return RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [%s]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p%s}]
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), TD, dir.resolve("policies"), identity,
                upstream.url("/mcp"), route));
    }

    /**
     * Finding 1. With {@code identity.axid.binding}, a token minted for the planner is useless to any other workload
     * ("a token minted for one agent cannot be replayed by another"). On a {@code single-use} route, though, the token's
     * jti is spent before the binding is checked: the coder presenting the planner's token is refused
     * {@code axid_binding_mismatch}, and the planner's own first use of its token is then refused {@code axid_replayed}.
     * Whoever sees a token in flight (a log, a shared sidecar, a misrouted header) can burn every single-use token of
     * every other workload without being able to use one.
     */
    @Test
    void aTokenRefusedForItsBindingIsNotSpentOnASingleUseRoute() throws Exception {
        RunningGateway gw = gateway("""
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, binding: {claim: agent, spiffe-segment: 2}}}"""
                .formatted(dir.resolve("jwks.json"), AxidTokens.ISSUER, AxidTokens.AUDIENCE), ", axid: single-use");
        try {
            DevPki.Issued planner = DevPki.svid(ca, "spiffe://example.org/agents/planner");
            DevPki.Issued coder = DevPki.svid(ca, "spiffe://example.org/agents/coder");
            // Control: a planner token used by the planner is accepted once.
            String control = AxidTokens.sign(key, h -> h, c -> c.jwtID("control-" + System.nanoTime()), Instant.now());
            assertThat(callOnce(gw, planner, control)).startsWith("HTTP/1.1 200");

            String plannersToken = AxidTokens.sign(key, h -> h, c -> c.jwtID("planner-" + System.nanoTime()), Instant.now());
            String byCoder = callOnce(gw, coder, plannersToken);
            assertThat(byCoder).startsWith("HTTP/1.1 401").contains("axid_binding_mismatch");

            String byPlanner = callOnce(gw, planner, plannersToken);
            assertThat(byPlanner).as("the planner's first use of its own single-use token, after another workload was refused it")
                    .startsWith("HTTP/1.1 200");
        } finally {
            gw.close();
        }
    }

    /**
     * Finding 2. The listener "accepts only a valid SVID ... in its validity window", and the SPIFFE ID read from the
     * connection's client certificate decides allowed-spiffe-ids, policy, the AXID binding, limits and ownership. It is
     * checked at the handshake only: a keep-alive connection opened with an SVID shortly before it expired keeps acting
     * as that workload for as long as the client keeps it open (HTTP/1.1 keep-alive here; an HTTP/2 connection the same),
     * after the SVID has expired and after the workload's next SVID was issued (SPIRE rotates SVIDs because an old key
     * may have leaked; a holder of the leaked key need only hold one connection open).
     */
    @Test
    void aConnectionDoesNotActAsAWorkloadPastItsSvidsExpiry() throws Exception {
        RunningGateway gw = gateway("", ", allowed-spiffe-ids: [\"spiffe://example.org/agents/*\"]");
        try {
            // Warm the gateway and the upstream first, so the first call on the short-lived SVID is quick.
            assertThat(callOnce(gw, DevPki.svid(ca, "spiffe://example.org/agents/warm"), "none")).startsWith("HTTP/1.1 200");
            Instant notAfter = Instant.now().plusSeconds(8).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            DevPki.Issued shortLived = DevPki.leaf(ca, List.of("spiffe://example.org/agents/planner"), false,
                    Instant.now().minus(Duration.ofMinutes(5)), notAfter);
            try (SSLSocket socket = (SSLSocket) DevPki.clientContext(shortLived, ca.certificate()).getSocketFactory()
                    .createSocket("127.0.0.1", gw.port())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                upstream.received().clear();
                String first = exchange(socket, 1);
                assertThat(first).as("within the SVID's validity").startsWith("HTTP/1.1 200");
                assertThat(Instant.now()).as("the first call must finish before the SVID expires for this test to mean anything")
                        .isBefore(notAfter);
                int forwardedBefore = upstream.received().size();

                // Wall-clock time has to pass here: wait (bounded) until the certificate is past its notAfter.
                Instant deadline = notAfter.plusSeconds(10);
                while (!Instant.now().isAfter(notAfter.plusMillis(1500)) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(100);
                }
                // The same certificate on a new connection is refused at the handshake (control)...
                assertThat(handshakeRefused(shortLived, gw.port())).as("a new connection with the expired SVID").isTrue();

                // ... but the old connection still carries the workload's identity.
                String second;
                try {
                    second = exchange(socket, 2);
                } catch (IOException closed) {
                    second = "connection closed: " + closed;
                }
                assertThat(second).as("a call on a connection whose client SVID expired").doesNotStartWith("HTTP/1.1 200");
                assertThat(upstream.received()).as("calls forwarded after the SVID expired").hasSize(forwardedBefore);
            }
        } finally {
            gw.close();
        }
    }

    /**
     * Finding 3. The same holds for new connections: the listener resumes TLS sessions (session tickets / the session
     * cache) without checking the certificate the session was established with again. A client whose SVID has expired,
     * refused a full handshake, resumes the session it established while the SVID was valid and is the workload again, on
     * a fresh connection, for the session's lifetime.
     */
    @Test
    void aResumedTlsSessionDoesNotActAsAWorkloadPastItsSvidsExpiry() throws Exception {
        resumedSessionPastExpiry("openssl");
    }

    /** Finding 3, on the JDK's TLS engine ({@code engine: jdk}). */
    @Test
    void aResumedTlsSessionDoesNotActAsAWorkloadPastItsSvidsExpiryOnTheJdkEngine() throws Exception {
        resumedSessionPastExpiry("jdk");
    }

    private void resumedSessionPastExpiry(String engine) throws Exception {
        RunningGateway gw = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [%s], engine: %s}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p, allowed-spiffe-ids: ["spiffe://example.org/agents/*"]}]
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), TD, engine, dir.resolve("policies"), upstream.url("/mcp")));
        try {
            assertThat(callOnce(gw, DevPki.svid(ca, "spiffe://example.org/agents/warm"), "none")).startsWith("HTTP/1.1 200");
            Instant notAfter = Instant.now().plusSeconds(8).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            DevPki.Issued shortLived = DevPki.leaf(ca, List.of("spiffe://example.org/agents/planner"), false,
                    Instant.now().minus(Duration.ofMinutes(5)), notAfter);
            // One client context, as a client process keeps one: it caches the sessions (and tickets) it was given.
            javax.net.ssl.SSLContext client = DevPki.clientContext(shortLived, ca.certificate());
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", gw.port())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                assertThat(exchange(socket, 1)).as("within the SVID's validity").startsWith("HTTP/1.1 200");
                // A second exchange: TLS 1.3 tickets arrive after the handshake and are taken in as the client reads.
                assertThat(exchange(socket, 2)).startsWith("HTTP/1.1 200");
            }
            assertThat(Instant.now()).as("the first calls must finish before the SVID expires for this test to mean anything")
                    .isBefore(notAfter);

            Instant deadline = notAfter.plusSeconds(10);
            while (!Instant.now().isAfter(notAfter.plusMillis(1500)) && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            // Control: a full handshake with the expired SVID is refused (a fresh context has no session to resume).
            assertThat(handshakeRefused(shortLived, gw.port())).as("a full handshake with the expired SVID").isTrue();

            int forwardedBefore = upstream.received().size();
            String resumed;
            boolean wasResumed = false;
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", gw.port())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                resumed = exchange(socket, 3);
                wasResumed = socket.getSession().getCreationTime() < notAfter.toEpochMilli();
            } catch (IOException refused) {
                resumed = "refused: " + refused;
            }
            assertThat(resumed).as("a call on a new connection resuming a session of the expired SVID (resumed: " + wasResumed + ")")
                    .doesNotStartWith("HTTP/1.1 200");
            assertThat(upstream.received()).as("calls forwarded after the SVID expired").hasSize(forwardedBefore);
        } finally {
            gw.close();
        }
    }

    /**
     * Finding 3, with a revoked CA: the operator removes a CA from {@code trust-bundle} ("rotating the PEM files takes effect
     * for new connections without a restart"). A full handshake with an SVID that CA issued is refused from then on, but a
     * new connection resuming a session established before the reload is still that workload.
     */
    @Test
    void aResumedTlsSessionIsRefusedOnceItsCaIsRemovedFromTheTrustBundle() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("revoke"));
        DevPki.write(sub, "gateway", DevPki.svid(ca, "spiffe://example.org/tollgate"));
        Path bundle = sub.resolve("bundle.pem");
        Files.writeString(bundle, DevPki.pem(ca.certificate()));
        Path config = sub.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: gateway.pem, private-key: gateway-key.pem, trust-bundle: bundle.pem, trust-domains: [%s]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}]
                """.formatted(TD, dir.resolve("policies"), upstream.url("/mcp")));
        dev.tollgate.gateway.reload.SnapshotLoader loader = new dev.tollgate.gateway.reload.SnapshotLoader(
                dev.tollgate.policy.check.CheckRegistry.withDefaults());
        dev.tollgate.gateway.Gateway gateway = dev.tollgate.gateway.Gateway.start(vertx, loader.load(config), 1)
                .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        try (dev.tollgate.gateway.reload.ReloadWatcher watcher = new dev.tollgate.gateway.reload.ReloadWatcher(config, gateway, loader)
                .start(Duration.ofMillis(50))) {
            DevPki.Issued planner = DevPki.svid(ca, "spiffe://example.org/agents/planner");
            javax.net.ssl.SSLContext client = DevPki.clientContext(planner, ca.certificate());
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                assertThat(exchange(socket, 1)).startsWith("HTTP/1.1 200");
                assertThat(exchange(socket, 2)).startsWith("HTTP/1.1 200");
            }

            // The operator revokes the CA: the bundle now holds a new CA only.
            DevPki.Issued newCa = DevPki.ca(TD);
            Files.writeString(bundle, DevPki.pem(newCa.certificate()));
            Files.setLastModifiedTime(bundle, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            // Control: the reload took effect once a full handshake with the revoked CA's SVID is refused.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> handshakeRefused(planner, gateway.port()));

            int forwardedBefore = upstream.received().size();
            String resumed;
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                resumed = exchange(socket, 3);
            } catch (IOException refused) {
                resumed = "refused: " + refused;
            }
            assertThat(resumed).as("a call on a new connection resuming a session whose CA was removed from the bundle")
                    .doesNotStartWith("HTTP/1.1 200");
            assertThat(upstream.received()).as("calls forwarded after the CA was removed").hasSize(forwardedBefore);
        } finally {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static boolean handshakeRefused(DevPki.Issued client, int port) {
        try (SSLSocket socket = (SSLSocket) DevPki.clientContext(client, ca.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            // TLS 1.3: a refused client certificate shows on the first read.
            String reply = exchange(socket, 9);
            return !reply.startsWith("HTTP/1.1");
        } catch (Exception e) {
            return true;
        }
    }

    /** One POST over a fresh mTLS connection, closed after; returns the status line, headers and body. */
    private static String callOnce(RunningGateway target, DevPki.Issued client, String axid) throws Exception {
        try (SSLSocket socket = (SSLSocket) DevPki.clientContext(client, ca.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", target.port())) {
            socket.setSoTimeout(5000);
            String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";
            socket.getOutputStream().write(("POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Waxell-AXID: " + axid
                    + "\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** One keep-alive POST on an open connection; reads exactly one answer (Content-Length or chunked). */
    private static String exchange(SSLSocket socket, int id) throws IOException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";
        OutputStream out = socket.getOutputStream();
        out.write(("POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        if (head.isEmpty()) {
            throw new IOException("no answer: connection closed");
        }
        String lower = head.toLowerCase(Locale.ROOT);
        StringBuilder text = new StringBuilder(head);
        int at = lower.indexOf("content-length:");
        if (at >= 0) {
            int n = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
            text.append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
        } else if (lower.contains("transfer-encoding: chunked")) {
            while (true) {
                String size = readLine(in).trim();
                int n = Integer.parseInt(size.split(";")[0], 16);
                if (n == 0) {
                    readLine(in);
                    break;
                }
                text.append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
                readLine(in);
            }
        }
        return text.toString();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
