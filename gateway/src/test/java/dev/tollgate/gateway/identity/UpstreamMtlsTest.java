package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS from the gateway to upstreams: real HTTPS upstreams that require a client certificate. The gateway
 * presents its SVID and forwards only to an upstream whose SVID, from a trusted domain, has the SPIFFE ID the
 * route expects; any other upstream fails the handshake, so the call gets 502 and no request byte is sent.
 */
class UpstreamMtlsTest {

    private static final String UPSTREAM_ID = "spiffe://example.org/ns/tools/sa/search";
    private static final String GATEWAY_ID = "spiffe://example.org/tollgate";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";

    @TempDir
    static Path dir;
    static Vertx vertx;
    static DevPki.Issued ca;
    static TlsUpstream genuine;
    static TlsUpstream forged;
    static RunningGateway gateway;
    static DevPki.Issued client;

    /**
     * An HTTPS upstream requiring a client SVID of example.org; records the calls, their methods and the caller's SPIFFE ID.
     * It lists no tools the gateway can read (every answer has id 1): the gateway's own list before the first call to a tool
     * on a route (list-unknown-tools) is one request, and the route then lists no more.
     */
    record TlsUpstream(HttpServer server, List<String> callers, List<String> methods, AtomicInteger connections) {

        static TlsUpstream start(DevPki.Issued svid, X509Certificate trusted) throws Exception {
            List<String> callers = new CopyOnWriteArrayList<>();
            List<String> methods = new CopyOnWriteArrayList<>();
            AtomicInteger connections = new AtomicInteger();
            HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                            .setSsl(true)
                            .setClientAuth(ClientAuth.REQUIRED)
                            .setKeyCertOptions(new PemKeyCertOptions()
                                    .setCertValue(Buffer.buffer(DevPki.pem(svid.certificate())))
                                    .setKeyValue(Buffer.buffer(DevPki.pem(new JcaPKCS8Generator(svid.keys().getPrivate(), null)))))
                            .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(DevPki.pem(trusted)))))
                    .connectionHandler(c -> connections.incrementAndGet())
                    .requestHandler(r -> r.body().onSuccess(b -> {
                        methods.add(b.toString().replaceAll("(?s).*\"method\":\"([^\"]*)\".*", "$1"));
                        try {
                            callers.add(SvidTrustManager.spiffeId((X509Certificate) r.connection().peerCertificates().get(0)));
                        } catch (Exception e) {
                            callers.add("unreadable: " + e);
                        }
                        r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
                    }));
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new TlsUpstream(server, callers, methods, connections);
        }

        String url() {
            return "https://127.0.0.1:" + server.actualPort() + "/mcp";
        }
    }

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        ca = DevPki.ca("example.org");
        genuine = TlsUpstream.start(DevPki.svid(ca, UPSTREAM_ID), ca.certificate());
        // Claims the right SPIFFE ID, but its CA is not in the bundle.
        forged = TlsUpstream.start(DevPki.svid(DevPki.ca("example.org"), UPSTREAM_ID), ca.certificate());
        Path[] svid = DevPki.write(dir, "gateway", DevPki.svid(ca, GATEWAY_ID));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
        client = DevPki.svid(ca, "spiffe://example.org/agents/planner");
        gateway = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [example.org]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: exact, path: /exact, protocol: mcp, upstream: "%s", policy: allow-all, upstream-tls: {spiffe-id: "%s", svid: mtls}}
                  - {name: glob, path: /glob, protocol: mcp, upstream: "%s", policy: allow-all, upstream-tls: {spiffe-id: "spiffe://example.org/ns/*/sa/*"}}
                  - {name: wrong-id, path: /wrong-id, protocol: mcp, upstream: "%s", policy: allow-all, upstream-tls: {spiffe-id: "spiffe://example.org/ns/tools/sa/other"}}
                  - {name: wrong-glob, path: /wrong-glob, protocol: mcp, upstream: "%s", policy: allow-all, upstream-tls: {spiffe-id: "spiffe://example.org/ns/*"}}
                  - {name: forged, path: /forged, protocol: mcp, upstream: "%s", policy: allow-all, upstream-tls: {spiffe-id: "%s"}}
                """.formatted(svid[0], svid[1], dir.resolve("bundle.pem"), dir.resolve("policies"), genuine.url(), UPSTREAM_ID,
                genuine.url(), genuine.url(), genuine.url(), forged.url(), UPSTREAM_ID));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clear() {
        genuine.callers().clear();
        genuine.methods().clear();
        forged.callers().clear();
        forged.methods().clear();
    }

    private static MtlsConnection.Reply call(String path) throws Exception {
        try (MtlsConnection c = MtlsConnection.open(gateway.port(), client, ca.certificate())) {
            return c.send(path, CALL);
        }
    }

    @Test
    void gatewayPresentsItsSvidToAnUpstreamWithTheExpectedSpiffeId() throws Exception {
        MtlsConnection.Reply exact = call("/exact");
        MtlsConnection.Reply glob = call("/glob");

        assertThat(exact.status()).as(exact.body()).isEqualTo(200);
        assertThat(glob.status()).as(glob.body()).isEqualTo(200);
        // Each route's first call to the tool is preceded by the gateway's own tools list (list-unknown-tools), over the same mTLS.
        assertThat(genuine.methods()).containsExactly("tools/list", "tools/call", "tools/list", "tools/call");
        assertThat(genuine.callers()).as("the upstream saw the gateway's SPIFFE ID as its client")
                .containsExactly(GATEWAY_ID, GATEWAY_ID, GATEWAY_ID, GATEWAY_ID);
    }

    @Test
    void upstreamWithAnotherSpiffeIdIsRefusedBeforeAnythingIsSent() throws Exception {
        for (String path : List.of("/wrong-id", "/wrong-glob")) {
            MtlsConnection.Reply reply = call(path);

            assertThat(reply.status()).as(path).isEqualTo(502);
            assertThat(reply.body()).as(path).contains("-32050").contains("upstream_error");
        }
        assertThat(genuine.callers()).as("no request reached the upstream").isEmpty();
    }

    @Test
    void upstreamWhoseSvidDoesNotChainToTheBundleIsRefused() throws Exception {
        MtlsConnection.Reply reply = call("/forged");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.body()).contains("-32050").contains("upstream_error");
        assertThat(forged.callers()).isEmpty();
        assertThat(forged.connections().get()).as("no HTTP connection: the TLS handshake was refused").isZero();
    }

    /**
     * The listener's bundles are the upstream's too: with one trust-bundle file for two trust domains, partner.example's
     * CA is not example.org's, so an upstream whose SVID partner.example's CA issued for the expected example.org
     * SPIFFE ID is refused, while the genuine one gets the call.
     */
    @Test
    void upstreamSvidIssuedByAnotherTrustDomainsCaInTheSameBundleFileIsRefused() throws Exception {
        DevPki.Issued partnerCa = DevPki.ca("partner.example");
        TlsUpstream crossDomain = TlsUpstream.start(DevPki.svid(partnerCa, UPSTREAM_ID), ca.certificate());
        Path shared = dir.resolve("two-domains.pem");
        Files.writeString(shared, DevPki.pem(ca.certificate()) + DevPki.pem(partnerCa.certificate()));
        try (RunningGateway twoDomains = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [example.org, partner.example]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: genuine, path: /genuine, protocol: mcp, upstream: "%s", policy: allow-all, upstream-tls: {spiffe-id: "%s"}}
                  - {name: cross, path: /cross, protocol: mcp, upstream: "%s", policy: allow-all, upstream-tls: {spiffe-id: "%s"}}
                """.formatted(dir.resolve("gateway.pem"), dir.resolve("gateway-key.pem"), shared, dir.resolve("policies"),
                genuine.url(), UPSTREAM_ID, crossDomain.url(), UPSTREAM_ID))) {
            MtlsConnection.Reply refused;
            MtlsConnection.Reply accepted;
            try (MtlsConnection c = MtlsConnection.open(twoDomains.port(), client, ca.certificate())) {
                refused = c.send("/cross", CALL);
                accepted = c.send("/genuine", CALL);
            }

            assertThat(refused.status()).as(refused.body()).isEqualTo(502);
            assertThat(refused.body()).contains("-32050").contains("upstream_error");
            assertThat(crossDomain.callers()).isEmpty();
            assertThat(crossDomain.connections().get()).as("no HTTP connection: the TLS handshake was refused").isZero();
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
            assertThat(genuine.methods()).as("the gateway's own tools list, then the call").containsExactly("tools/list", "tools/call");
            assertThat(genuine.callers()).containsExactly(GATEWAY_ID, GATEWAY_ID);
        } finally {
            crossDomain.server().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void upstreamTlsOverPlainHttpIsAConfigurationError() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                listeners: [{name: mtls, port: 0, tls: {source: workload-api, socket: "unix:/tmp/agent.sock", trust-domains: [example.org]}}]
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp", upstream-tls: {spiffe-id: "%s"}}]
                """.formatted(UPSTREAM_ID), "t.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routes[0].upstream: must be an https URL when upstream-tls is set");
    }

    @Test
    void upstreamTlsNeedsAnMtlsListenerForItsSvid() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                listeners: [{name: plain, port: 0}]
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "https://127.0.0.1:1/mcp", upstream-tls: {spiffe-id: "%s", svid: plain}}]
                """.formatted(UPSTREAM_ID), "t.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstream-tls.svid: 'plain' is not an mTLS listener");
    }
}
