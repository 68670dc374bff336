package dev.tollgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
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
 * Review L, finding (low): the settle wait restarts on every change of ANY watched file, and every file in the policy
 * directory is watched (Files.list, not only *.yaml). A file there that some process rewrites more often than the settle
 * time (a heartbeat, an editor's swap file, a generator's scratch file) starves reloads forever: a deny rule added to
 * p.yaml is never loaded, with nothing logged. Before 2bb32a8 the same writer caused extra reloads, but the rule loaded.
 */
class ReloadStarvedReviewLTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
    private static final String ALLOW = "name: p\ndefaults: {action: allow}\nrules: []\n";
    private static final String DENY_ECHO = "name: p\ndefaults: {action: allow}\nrules:\n  - name: no-echo\n    condition: {tool: echo}\n    action: deny\n";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), ALLOW);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(upstream.url("/mcp")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofMillis(500)); // the default settle (250 ms)
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        watcher.close();
        http.close();
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aDenyRuleLoadsWhileAnotherFileInThePolicyDirectoryKeepsChanging() throws Exception {
        Path heartbeat = dir.resolve("policies/.heartbeat");
        Thread writer = new Thread(() -> {
            for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                try {
                    Files.writeString(heartbeat, Integer.toString(i));
                    Thread.sleep(100);
                } catch (Exception e) {
                    return;
                }
            }
        });
        writer.setDaemon(true);
        writer.start();
        try {
            Files.writeString(dir.resolve("policies/p.yaml"), DENY_ECHO);
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            String reason = null;
            while (System.nanoTime() < until && !"policy_denied".equals(reason)) {
                Thread.sleep(200);
                reason = http.postMcp(gateway.port(), "/mcp", CALL).reason();
            }
            // Fails today: six seconds (twelve polls) later the no-echo rule is still not loaded.
            assertThat(reason).isEqualTo("policy_denied");
        } finally {
            writer.interrupt();
            writer.join();
        }
    }
}
