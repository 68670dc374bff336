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
 * Review AY, finding 5 (medium: after any reload, round-robin sends every call of a quiet route to its first instance):
 * UpstreamHealthChecker keeps watching a route whose upstreams did not change with the Route object it was first given
 * (rewatch keeps the Watched entry when sameChecks), and every probe round calls {@code upstreams.of(thatOldRoute)}.
 * Upstreams.of keeps one UpstreamSet per route name and replaces it whenever it is asked for another Route object: after
 * a reload (any reload: a policy edit, another route, this route's timeouts all make new Route objects) the probes and
 * the calls ask for two different objects, so each probe round replaces the serving set, and the next call builds a fresh
 * one whose round-robin turn (and least-requests tie-break) starts again at 0. A route whose calls come less often than
 * its probe interval (default 5s) then sends every call to the first slot of the schedule: instance 1 takes all the
 * traffic and weights mean nothing, for as long as the process runs.
 * Fix: let the health checker probe the serving route's instances (update the Watched route on every rewatch), and keep
 * the balancing state (the turn) per route name rather than per Route object.
 */
class BalancingResetByHealthProbesReviewAYTest {

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
        Files.writeString(config, yaml("1s"));
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
    void roundRobinStillAlternatesAfterAReloadWhenCallsAreFewerThanProbes() throws Exception {
        // A reload that changes nothing about the upstreams: the route's connect timeout.
        Files.writeString(config, yaml("2s"));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();

        for (int i = 0; i < 6; i++) {
            // A quiet route: a probe round passes between calls.
            int pings = pings(a);
            await().atMost(Duration.ofSeconds(5)).until(() -> pings(a) > pings);
            assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        }

        assertThat(calls(a)).as("round-robin, weights 1 and 1: instance a's share of 6 calls").isEqualTo(3);
        assertThat(calls(b)).as("round-robin, weights 1 and 1: instance b's share of 6 calls").isEqualTo(3);
    }

    private static int pings(RecordingUpstream upstream) {
        return (int) upstream.received().stream().filter(r -> r.body().toString().contains("\"ping\"")).count();
    }

    private static int calls(RecordingUpstream upstream) {
        return (int) upstream.received().stream().filter(r -> r.body().toString().contains("tools/call")).count();
    }

    /** Probes every 500 ms with as long to answer: a loaded machine cannot take an instance out and skew the split. */
    private String yaml(String connectTimeout) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    connect-timeout: %s
                    upstreams: [{url: "%s"}, {url: "%s"}]
                    balance: round-robin
                    health-check: {interval: 500ms, timeout: 500ms}
                """.formatted(dir.resolve("policies"), connectTimeout, a.url("/mcp"), b.url("/mcp"));
    }
}
