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
 * Review AY, finding 2 (low: an instance a reload removed comes back in the metrics, and is called): a request keeps
 * the snapshot it started under, and UpstreamCall resolves its instances from that snapshot's route object
 * ({@code upstreams.of(exchange.route().route())}). When that happens after the reload ran {@link Upstreams#retain}, the
 * old route object is not the current set's, so {@link Upstreams#of} resolves it again: {@code instance()} re-creates the
 * instance the reload removed (computeIfAbsent on the map retain just cleaned) and registers its meters again, and the
 * call is balanced over the old list, the removed instance included. Any request whose body arrives after the reload
 * does this (its headers came before; a client sends its body as slowly as {@code limits.body-timeout} allows): the
 * tool call runs on an instance the operator took out (decommissioned, compromised, being drained) after {@code
 * /reload} answered 200, and {@code tollgate_upstream_healthy{upstream=<removed>} 1} is exported again until the next
 * reload, so dashboards and alerts count an instance that no longer exists. (The README says calls in flight finish on
 * the configuration they started with; but this window is the client's to stretch, and held approvals already refuse
 * such a call, {@code approval_superseded}, review AO. The resurrected instance and meters are the clear defect.)
 * Fix: in UpstreamCall, take the serving snapshot's route of the same name (and refuse the call, or balance on the
 * serving set, when its endpoints changed); and never create instances or meters for a route object that is not the
 * serving one (Upstreams.of should not resurrect keys retain removed).
 */
class RemovedInstanceAfterReloadReviewAYTest {

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
        Files.writeString(config, yaml("upstreams: [{url: \"%s\"}, {url: \"%s\"}]\nbalance: round-robin".formatted(a.url("/mcp"), b.url("/mcp"))));
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
    void aCallWhoseBodyArrivesAfterTheReloadRemovedAnInstanceNeitherReachesItNorBringsItsMetricsBack() throws Exception {
        String aSeries = "tollgate_upstream_healthy{route=\"tools\",upstream=\"" + a.url("/mcp") + "\"}";
        // Both instances serve before the reload (and both are in the metrics).
        for (int i = 0; i < 2; i++) {
            assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        }
        assertThat(a.received()).hasSize(1);
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
            // The operator takes instance a out of the route; the reload is applied (and /reload would answer 200).
            Files.writeString(config, yaml("upstreams: [{url: \"%s\"}]".formatted(b.url("/mcp"))));
            ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
            assertThat(result.applied()).as(result.toString()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !gateway.metrics().scrape().contains(aSeries));
            // A call started after the reload goes to b, as it should.
            assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
            int aBefore = a.received().size();
            // The rest of the body, after the reload.
            out.write(body);
            out.flush();
            String status = readStatusLine(in);
            assertThat(status).startsWith("HTTP/1.1 ");

            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            soft.assertThat(a.received()).as("a tools/call reached instance a after a reload removed it from the route").hasSize(aBefore);
            soft.assertThat(gateway.metrics().scrape()).as("the removed instance is exported again").doesNotContain(aSeries);
            soft.assertAll();
        }
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
