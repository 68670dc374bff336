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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AY, finding 4 (medium: an instance is out of rotation for good, and its metric says so wrongly): an instance's
 * probed health lives in {@link UpstreamInstance}, which survives reloads. When a reload removes a route's
 * {@code health-check}, UpstreamHealthChecker.rewatch cancels the route's timer and forgets it, but leaves
 * {@code probedHealthy} as the last probe left it. An instance that was unhealthy at that moment is never probed again
 * and never made healthy again: {@code available()} stays false, so balancing skips it for as long as the process runs
 * (it only serves when every instance is out), and {@code tollgate_upstream_healthy} stays 0. The operator who removes
 * a check (because it misjudged the instances, say a probe path that answers 5xx while the MCP endpoint serves) gets
 * the opposite of what the configuration now says: with no health check, every instance takes calls.
 * Fix: when a route stops being watched (or its check changes), reset the probed health of its instances (probedHealthy
 * = true, probeStreak = 0).
 */
class HealthCheckRemovedByReloadReviewAYTest {

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
        // Instance a serves tool calls, but its answer to the health probe (a ping) is a 503.
        a.answer(request -> {
            String body = a.received().get(a.received().size() - 1).body().toString();
            if (body.contains("\"ping\"")) {
                request.response().setStatusCode(503).end();
            } else {
                request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}");
            }
        });
        b = new RecordingUpstream(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml("health-check: {interval: 200ms, timeout: 200ms, unhealthy-after: 1, healthy-after: 1}"));
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
    void anInstanceTheRemovedHealthCheckHadTakenOutTakesCallsAgain() throws Exception {
        String healthyA = "tollgate_upstream_healthy{route=\"tools\",upstream=\"" + a.url("/mcp") + "\"}";
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.metrics().scrape().contains(healthyA + " 0.0"));

        // The operator drops the health check that misjudges instance a.
        Files.writeString(config, yaml(""));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();
        int aCallsBefore = calls(a);
        for (int i = 0; i < 6; i++) {
            assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        }

        assertThat(calls(a)).as("round-robin over two instances with no health check: instance a takes its turns").isEqualTo(aCallsBefore + 3);
        assertThat(gateway.metrics().scrape()).contains(healthyA + " 1.0");
    }

    private static int calls(RecordingUpstream upstream) {
        return (int) upstream.received().stream().filter(r -> r.body().toString().contains("tools/call")).count();
    }

    private String yaml(String healthCheck) {
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
                    upstreams: [{url: "%s"}, {url: "%s"}]
                    balance: round-robin
                %s
                """.formatted(dir.resolve("policies"), a.url("/mcp"), b.url("/mcp"), healthCheck.indent(4).stripTrailing());
    }
}
