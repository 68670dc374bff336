package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.TlsConfig;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.spiffe.exception.X509BundleException;
import io.spiffe.spiffeid.TrustDomain;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real TLS handshakes against an mTLS listener fed by PEM SVIDs: a valid SVID of the trust domain gets
 * through (and its SPIFFE ID reaches policy); bad peers are refused at the handshake.
 */
class SpiffeMtlsTest {

    private static final String TD = "example.org";
    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: planners-only-search\n    condition: {all: [{tool: search}, {not: {spiffe_id: \"spiffe://example.org/agents/planner\"}}]}\n    action: deny\n";

    @TempDir
    static Path dir;
    static Vertx vertx;
    static RecordingUpstream upstream;
    static RunningGateway gateway;
    /** The same listener on the JDK's TLS engine instead of OpenSSL. */
    static RunningGateway jdkGateway;
    static DevPki.Issued ca;
    static DevPki.Issued foreignCa;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        ca = DevPki.ca(TD);
        foreignCa = DevPki.ca("evil.example");
        Path[] server = DevPki.write(dir, "gateway", DevPki.svid(ca, "spiffe://example.org/tollgate"));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        String engine = "openssl";
        {
            gateway = RunningGateway.start(vertx, """
                    listeners:
                      - name: mtls
                        host: 127.0.0.1
                        port: 0
                        tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [%s], engine: %s}
                    admin: {host: 127.0.0.1, port: 0}
                    policies: {directory: %s}
                    routes:
                      - {name: agents, path: /mcp, protocol: mcp, upstream: "%s", policy: p, allowed-spiffe-ids: ["spiffe://example.org/agents/*"]}
                    """.formatted(server[0], server[1], dir.resolve("bundle.pem"), TD, engine, dir.resolve("policies"), upstream.url("/mcp")));
        }
        jdkGateway = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [%s], engine: jdk}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}]
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), TD, dir.resolve("policies"), upstream.url("/mcp")));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        jdkGateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** One POST over a fresh mTLS connection; returns the status line and body. */
    static String call(DevPki.Issued client, String tool) throws Exception {
        return call(gateway.port(), client, tool);
    }

    /** @param intermediates sent after the client's certificate, in its chain */
    static String call(int port, DevPki.Issued client, String tool, X509Certificate... intermediates) throws Exception {
        try (SSLSocket socket = (SSLSocket) DevPki.clientContext(client, ca.certificate(), intermediates).getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void validSvidOfTheTrustDomainGetsThroughAndItsSpiffeIdReachesPolicy() throws Exception {
        upstream.received().clear();
        String planner = call(DevPki.svid(ca, "spiffe://example.org/agents/planner"), "search");
        String coder = call(DevPki.svid(ca, "spiffe://example.org/agents/coder"), "search");

        assertThat(io.netty.handler.ssl.OpenSsl.isAvailable()).as("BoringSSL loads, so the listener runs on OpenSSL").isTrue();
        assertThat(planner).startsWith("HTTP/1.1 200");
        assertThat(coder).contains("\"rule\":\"planners-only-search\"");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void aChainThroughAnIntermediateCaGetsThroughAndOneThroughANonCaIntermediateIsRefused() throws Exception {
        Instant now = Instant.now();
        DevPki.Issued intermediateCa = DevPki.leaf(ca, List.of("spiffe://example.org"), true, now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1)));
        DevPki.Issued notACa = DevPki.leaf(ca, List.of("spiffe://example.org/agents/helper"), false, now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1)));
        upstream.received().clear();

        assertThat(call(gateway.port(), DevPki.leaf(intermediateCa, List.of("spiffe://example.org/agents/planner"), false,
                now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1))), "search", intermediateCa.certificate())).startsWith("HTTP/1.1 200");
        assertRefusedByTls(gateway.port(), DevPki.leaf(notACa, List.of("spiffe://example.org/agents/planner"), false,
                now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1))), notACa.certificate());
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void workloadOutsideTheRoutesAllowedSpiffeIdsGets403() throws Exception {
        upstream.received().clear();
        String reply = call(DevPki.svid(ca, "spiffe://example.org/batch/cron"), "search");

        assertThat(reply).startsWith("HTTP/1.1 403").contains("spiffe_id_not_allowed");
        assertThat(upstream.received()).isEmpty();
    }

    static Stream<Arguments> badPeers() throws Exception {
        Instant now = Instant.now();
        return Stream.of(
                Arguments.of("no client certificate", null),
                Arguments.of("foreign trust domain", DevPki.svid(foreignCa, "spiffe://evil.example/agents/planner")),
                Arguments.of("expired", DevPki.leaf(ca, List.of("spiffe://example.org/agents/planner"), false,
                        now.minus(Duration.ofHours(3)), now.minus(Duration.ofHours(1)))),
                Arguments.of("not yet valid", DevPki.leaf(ca, List.of("spiffe://example.org/agents/planner"), false,
                        now.plus(Duration.ofMinutes(10)), now.plus(Duration.ofHours(1)))),
                Arguments.of("no URI SAN", DevPki.leaf(ca, List.of(), false, now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1)))),
                Arguments.of("two URI SANs", DevPki.leaf(ca, List.of("spiffe://example.org/a", "spiffe://example.org/b"), false,
                        now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1)))),
                Arguments.of("a CA certificate as leaf", DevPki.leaf(ca, List.of("spiffe://example.org/agents/planner"), true,
                        now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1)))),
                Arguments.of("self-signed SVID-looking certificate", DevPki.ca(TD)),
                // java-spiffe lowercases the trust domain to find its bundle, so this one chained to example.org's CA,
                // and policy, allowed-spiffe-ids and the AXID binding then read a second spelling of the planner.
                Arguments.of("trust domain in capitals", DevPki.svid(ca, "spiffe://EXAMPLE.org/agents/planner")),
                Arguments.of("scheme in capitals", DevPki.svid(ca, "SPIFFE://example.org/agents/planner")),
                Arguments.of("dot segment", DevPki.svid(ca, "spiffe://example.org/agents/../agents/planner")),
                Arguments.of("percent-encoded path", DevPki.svid(ca, "spiffe://example.org/agents/%70lanner")),
                Arguments.of("port after the trust domain", DevPki.svid(ca, "spiffe://example.org:443/agents/planner")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPeers")
    void badPeerIsRefusedAtTheHandshake(String name, DevPki.Issued client) throws Exception {
        upstream.received().clear();
        assertRefusedByTls(gateway.port(), client);
        assertThat(upstream.received()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPeers")
    void badPeerIsRefusedAtTheHandshakeOnTheJdkEngine(String name, DevPki.Issued client) throws Exception {
        upstream.received().clear();
        assertRefusedByTls(jdkGateway.port(), client);
        assertThat(upstream.received()).isEmpty();
    }

    /**
     * Connects with the client's certificate (none when null) and sends a call. The refusal must come from
     * the TLS layer, as an alert or the handshake cut (TLS 1.3 reports a refused client certificate after the
     * client's side of the handshake, on its first read): an SSLException, never a read timeout, and not
     * a single byte of an HTTP answer.
     */
    static void assertRefusedByTls(int port, DevPki.Issued client, X509Certificate... intermediates) {
        java.io.ByteArrayOutputStream answered = new java.io.ByteArrayOutputStream();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> {
            try (SSLSocket socket = (SSLSocket) DevPki.clientContext(client, ca.certificate(), intermediates).getSocketFactory()
                    .createSocket("127.0.0.1", port)) {
                socket.setSoTimeout(5000);
                socket.startHandshake();
                String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";
                OutputStream out = socket.getOutputStream();
                out.write(("POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                for (int b = in.read(); b >= 0; b = in.read()) {
                    answered.write(b);
                }
            }
        });
        assertThat(answered.toString(StandardCharsets.ISO_8859_1)).as("no HTTP answer was received").isEmpty();
        // In TLS 1.3 the server judges the client's certificate after the client's handshake has returned, so the
        // refusal reaches the client as an alert (SSLException) or, when it is still writing, as the connection cut
        // under it (broken pipe, reset). A read timeout or a clean close would mean the handshake was accepted.
        assertThat(thrown).as("refused by the TLS layer (alert or connection cut), not a timeout or a clean close")
                .isNotNull()
                .isNotInstanceOf(java.net.SocketTimeoutException.class)
                .isInstanceOfAny(javax.net.ssl.SSLException.class, java.net.SocketException.class);
    }

    /**
     * One trust-bundle file for two trust domains: each CA is the bundle of the domain its URI SAN names, not of both,
     * so evil.example's CA cannot issue an SVID that the listener takes for example.org's planner.
     */
    @Test
    void aTrustDomainsCaCannotIssueSvidsOfAnotherTrustDomainSharingTheBundleFile() throws Exception {
        Path shared = dir.resolve("two-domains.pem");
        Files.writeString(shared, DevPki.pem(ca.certificate()) + DevPki.pem(foreignCa.certificate()));
        Path[] server = {dir.resolve("gateway.pem"), dir.resolve("gateway-key.pem")};
        try (RunningGateway twoDomains = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [%s, evil.example]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}]
                """.formatted(server[0], server[1], shared, TD, dir.resolve("policies"), upstream.url("/mcp")))) {
            upstream.received().clear();
            assertRefusedByTls(twoDomains.port(), DevPki.svid(foreignCa, "spiffe://example.org/agents/planner"));
            assertThat(upstream.received()).isEmpty();

            assertThat(call(twoDomains.port(), DevPki.svid(ca, "spiffe://example.org/agents/planner"), "search")).startsWith("HTTP/1.1 200");
            assertThat(call(twoDomains.port(), DevPki.svid(foreignCa, "spiffe://evil.example/agents/x"), "read")).startsWith("HTTP/1.1 200");
            assertThat(upstream.received()).hasSize(2);
        }
    }

    /** With several trust domains, a CA that names none of them cannot be given to any: the load fails, saying what to do. */
    @Test
    void aSharedBundleWithACaNamingNoConfiguredTrustDomainFailsToLoad() throws Exception {
        Instant now = Instant.now();
        DevPki.Issued unnamed = DevPki.leaf(ca, List.of(), true, now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1)));
        Path[] server = {dir.resolve("gateway.pem"), dir.resolve("gateway-key.pem")};
        Path withUnnamed = dir.resolve("unnamed.pem");
        Files.writeString(withUnnamed, DevPki.pem(ca.certificate()) + DevPki.pem(foreignCa.certificate()) + DevPki.pem(unnamed.certificate()));
        Path withOther = dir.resolve("other.pem");
        Files.writeString(withOther, DevPki.pem(ca.certificate()) + DevPki.pem(foreignCa.certificate()) + DevPki.pem(DevPki.ca("other.example").certificate()));
        List<String> two = List.of(TD, "evil.example");

        assertThatThrownBy(() -> new FileSvidSource(new TlsConfig(server[0], server[1], withUnnamed, two, "jdk")))
                .isInstanceOf(X509BundleException.class)
                .hasMessageContaining("does not name one trust domain")
                .hasMessageContaining("spiffe://<trust domain>");
        assertThatThrownBy(() -> new FileSvidSource(new TlsConfig(server[0], server[1], withOther, two, "jdk")))
                .isInstanceOf(X509BundleException.class)
                .hasMessageContaining("trust domain other.example, which is not in trust-domains");
        assertThatThrownBy(() -> new FileSvidSource(new TlsConfig(server[0], server[1], dir.resolve("bundle.pem"), two, "jdk")))
                .isInstanceOf(X509BundleException.class)
                .hasMessageContaining("no CA certificate names trust domain evil.example");
        // With one trust domain the whole file is its bundle, as before: its CAs need not name it.
        assertThat(new FileSvidSource(new TlsConfig(server[0], server[1], withUnnamed, List.of(TD), "jdk"))
                .getBundleForTrustDomain(TrustDomain.parse(TD)).getX509Authorities()).hasSize(3);
    }

    @Test
    void axidBoundToTheSpiffeIdMustNameTheSameAgent() throws Exception {
        com.nimbusds.jose.jwk.OctetKeyPair key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new com.nimbusds.jose.jwk.JWKSet(key.toPublicJWK()).toString());
        Path[] server = {dir.resolve("gateway.pem"), dir.resolve("gateway-key.pem")};
        RunningGateway bound = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [%s]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, binding: {claim: agent, spiffe-segment: 2}}}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}]
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), TD, dir.resolve("policies"), dir.resolve("jwks.json"),
                AxidTokens.ISSUER, AxidTokens.AUDIENCE, upstream.url("/mcp")));
        try {
            DevPki.Issued planner = DevPki.svid(ca, "spiffe://example.org/agents/planner");
            String own = callWithAxid(bound, planner, AxidTokens.valid(key, Instant.now()));
            String borrowed = callWithAxid(bound, planner, AxidTokens.sign(key, h -> h, c -> c.claim("agent", "coder"), Instant.now()));

            assertThat(own).startsWith("HTTP/1.1 200");
            assertThat(borrowed).startsWith("HTTP/1.1 401").contains("axid_binding_mismatch");
        } finally {
            bound.close();
        }
    }

    private static String callWithAxid(RunningGateway target, DevPki.Issued client, String axid) throws Exception {
        try (SSLSocket socket = (SSLSocket) DevPki.clientContext(client, ca.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", target.port())) {
            socket.setSoTimeout(5000);
            String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";
            socket.getOutputStream().write(("POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Waxell-AXID: " + axid
                    + "\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void jdkEngineAcceptsTheSameSvids() throws Exception {
        String ok = callWithAxid(jdkGateway, DevPki.svid(ca, "spiffe://example.org/agents/planner"), "unused");

        assertThat(ok).startsWith("HTTP/1.1 200");
    }

    @Test
    void alpnNegotiatesHttp2AndCallsWorkOverIt() throws Exception {
        Path dnsDir = Files.createDirectories(dir.resolve("h2"));
        Path[] server = DevPki.write(dnsDir, "gateway", DevPki.serverSvid(ca, "spiffe://example.org/tollgate", Duration.ofHours(1), "localhost"));
        RunningGateway h2 = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [%s]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}]
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), TD, dir.resolve("policies"), upstream.url("/mcp")));
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2)
                    .sslContext(DevPki.clientContext(DevPki.svid(ca, "spiffe://example.org/agents/planner"), ca.certificate())).build();
            java.net.http.HttpResponse<String> reply = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("https://localhost:" + h2.port() + "/mcp"))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());

            assertThat(reply.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).contains("\"result\"");
        } finally {
            h2.close();
        }
    }

    @Test
    void keyNotMatchingTheCertificateIsRefusedWhenLoading() throws Exception {
        DevPki.Issued one = DevPki.svid(ca, "spiffe://example.org/x");
        DevPki.Issued other = DevPki.svid(ca, "spiffe://example.org/y");
        Path chain = dir.resolve("mismatch.pem");
        Path key = dir.resolve("mismatch-key.pem");
        Files.writeString(chain, DevPki.pem(one.certificate()));
        Files.writeString(key, DevPki.pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(other.keys().getPrivate(), null)));

        assertThatThrownBy(() -> new FileSvidSource(new dev.tollgate.gateway.config.TlsConfig(chain, key, dir.resolve("bundle.pem"), List.of(TD), "jdk")))
                .hasMessageContaining("does not belong to the leaf");
    }
}
