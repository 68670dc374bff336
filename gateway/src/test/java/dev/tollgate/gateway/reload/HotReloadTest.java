package dev.tollgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies and routes change on disk; the running gateway follows, or keeps the old snapshot when the new one is invalid. */
class HotReloadTest {

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
    private Path config;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), ALLOW);
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(upstream.url("/mcp")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofMillis(50));
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
    void changedPolicyTakesEffectWithoutRestart() throws Exception {
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).json().has("result")).isTrue();

        writeLater(dir.resolve("policies/p.yaml"), DENY_ECHO);

        await().atMost(Duration.ofSeconds(10)).until(() -> "policy_denied".equals(http.postMcp(gateway.port(), "/mcp", CALL).reason()));
        assertThat(gateway.metrics().registry().get("tollgate.reloads").tag("result", "applied").counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void invalidPolicyIsRejectedWithFileAndLineAndTheOldSnapshotKeepsServing() throws Exception {
        writeLater(dir.resolve("policies/p.yaml"), "name: p\nrules:\n  - name: broken\n    condition: {tool: echo}\n    action: explode\n");

        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.metrics().registry().get("tollgate.reloads")
                .tag("result", "rejected").counter().count() >= 1);
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);

        assertThat(result.applied()).isFalse();
        assertThat(result.problems()).anySatisfy(p -> assertThat(p).contains("p.yaml:5: rules[0].action: action is allow, deny or audit"));
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).json().has("result")).as("old allow-all policy still serves").isTrue();
    }

    @Test
    void changedRouteTakesEffectToo() throws Exception {
        Files.writeString(config, Files.readString(config).replace("path: /mcp", "path: /tools"));
        touch(config);

        await().atMost(Duration.ofSeconds(10)).until(() -> http.postMcp(gateway.port(), "/tools", CALL).status() == 200);
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).reason()).isEqualTo("no_route");
    }

    @Test
    void reloadsUnderTrafficFailNoRequest() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Thread traffic = new Thread(() -> {
            while (running.get()) {
                try {
                    TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp",
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"other\",\"arguments\":{}}}");
                    sent.incrementAndGet();
                    if (reply.status() != 200 || !reply.json().has("result")) {
                        failed.incrementAndGet();
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
        });
        traffic.start();
        for (int i = 0; i < 10; i++) {
            writeLater(dir.resolve("policies/p.yaml"), i % 2 == 0 ? DENY_ECHO : ALLOW);
            Thread.sleep(150);
        }
        running.set(false);
        traffic.join(10_000);

        assertThat(sent.get()).isGreaterThan(20);
        assertThat(failed).hasValue(0);
        assertThat(gateway.metrics().registry().get("tollgate.reloads").tag("result", "applied").counter().count()).isGreaterThanOrEqualTo(5);
    }

    /** Writes and moves the modification time forward, so a change within the file system's clock tick is seen. */
    private static void writeLater(Path file, String content) throws Exception {
        Files.writeString(file, content);
        touch(file);
    }

    private static final java.util.concurrent.atomic.AtomicLong CLOCK = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis());

    private static void touch(Path file) throws Exception {
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(CLOCK.addAndGet(1000)));
    }
}
