package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix T: health probes (UpstreamHealthChecker) never sent the route's {@code oauth.upstream-credential}, which every
 * forwarded call carries. An upstream that authenticates its callers (the reason the route has the credential) answered
 * each probe 401, and an {@code http} probe took its instances out of service, though every call would have been served.
 * The upstream here refuses any request without the credential: a fixed header, or the gateway's client-credentials
 * token from a real authorization server (mock-oauth2-server). Its instances stay healthy, and every probe carried it.
 */
class HealthProbeUpstreamCredentialFixTTest {

    private static final String SECRET = "Bearer upstream-own-secret";

    @TempDir
    Path dir;
    private Vertx vertx;
    private MockOAuth2Server authorizationServer;
    private RecordingUpstream upstream;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String credential = r.getHeader("Authorization");
            boolean accepted = r.path().startsWith("/cc") ? credential != null && credential.startsWith("Bearer ey")
                    : SECRET.equals(credential);
            if (!accepted) {
                r.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").end();
            } else {
                r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":\"tollgate-health-check\",\"result\":{}}");
            }
        });
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        String issuer = authorizationServer.issuerUrl("as").toString().replaceAll("/+$", "");
        // Probe timeouts of a second: a refused probe fails at once, and a loaded machine cannot make a healthy instance
        // miss one (unhealthy-after 1) and fail "stays healthy".
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %1$s}
                routes:
                  - name: fixed
                    path: /fixed
                    protocol: mcp
                    policy: p
                    upstream: "%2$s"
                    health-check: {interval: 1s, timeout: 1s, probe: http, path: /static/health, unhealthy-after: 1, healthy-after: 1}
                    oauth:
                      resource: "http://gateway.example/fixed"
                      issuer: "%3$s"
                      upstream-credential: {header: Authorization, value: "%4$s"}
                  - name: granted
                    path: /granted
                    protocol: mcp
                    policy: p
                    upstream: "%5$s"
                    health-check: {interval: 1s, timeout: 1s, probe: http, path: /cc/health, unhealthy-after: 1, healthy-after: 1}
                    oauth:
                      resource: "http://gateway.example/granted"
                      issuer: "%3$s"
                      upstream-credential:
                        client-credentials: {token-url: "%3$s/token", client-id: tollgate-gateway, client-secret: s3cret, resource: "http://upstream.internal/mcp"}
                  - name: pinged
                    path: /pinged
                    protocol: mcp
                    policy: p
                    upstream: "%6$s"
                    health-check: {interval: 1s, timeout: 1s, unhealthy-after: 1, healthy-after: 1}
                    oauth:
                      resource: "http://gateway.example/pinged"
                      issuer: "%3$s"
                      upstream-credential: {header: Authorization, value: "%4$s"}
                """.formatted(dir.resolve("policies"), upstream.url("/static/mcp"), issuer, SECRET, upstream.url("/cc/mcp"),
                upstream.url("/ping/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        authorizationServer.shutdown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anHttpProbeCarriesTheFixedUpstreamCredentialAndTheInstanceStaysHealthy() {
        awaitProbes("/static/health");

        assertThat(probes("/static/health")).as("every probe carries the route's upstream credential")
                .allSatisfy(r -> assertThat(r.headers().get("Authorization")).isEqualTo(SECRET));
        assertThat(gateway.gateway().metrics().scrape()).as("an instance answering every call is healthy")
                .contains(healthy("fixed", upstream.url("/static/mcp")) + " 1.0");
    }

    @Test
    void anHttpProbeCarriesTheClientCredentialsTokenAndTheInstanceStaysHealthy() {
        awaitProbes("/cc/health");

        assertThat(probes("/cc/health")).as("every probe carries the gateway's client-credentials token")
                .allSatisfy(r -> assertThat(r.headers().get("Authorization")).startsWith("Bearer ey"));
        assertThat(gateway.gateway().metrics().scrape()).as("an instance answering every call is healthy")
                .contains(healthy("granted", upstream.url("/cc/mcp")) + " 1.0");
    }

    @Test
    void anMcpPingProbeCarriesTheUpstreamCredential() {
        awaitProbes("/ping/mcp");

        assertThat(probes("/ping/mcp")).as("every ping carries the route's upstream credential")
                .allSatisfy(r -> assertThat(r.headers().get("Authorization")).isEqualTo(SECRET));
    }

    /** Three probes seen: with unhealthy-after 1, a refused first probe had its verdict recorded before the next was sent. */
    private void awaitProbes(String path) {
        await().atMost(Duration.ofSeconds(15)).until(() -> probes(path).size() >= 3);
    }

    private List<RecordingUpstream.Received> probes(String path) {
        return upstream.received().stream().filter(r -> r.uri().startsWith(path)
                && "tollgate-health-check".equals(r.headers().get("User-Agent"))).toList();
    }

    private static String healthy(String route, String url) {
        return "tollgate_upstream_healthy{route=\"" + route + "\",upstream=\"" + url + "\"}";
    }
}
