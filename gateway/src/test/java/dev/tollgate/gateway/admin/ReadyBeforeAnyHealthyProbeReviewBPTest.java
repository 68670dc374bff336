package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BP (readiness, medium): README, "/readyz answers 503, naming the route, when a route with a health check has no
 * healthy instance". A replica started while every instance of a health-checked route is down answers READY all the
 * same, for a whole probe interval: UpstreamInstance starts {@code probedHealthy = true} (UpstreamInstance.java:23), and
 * the first probe, sent at once, refused, only moves the streak to -1 of the {@code unhealthy-after: 2} needed. With
 * {@code interval: 20s} the replica is declared ready (Kubernetes sends it traffic, a rollout goes on and takes down the
 * old replicas) for 20 s while nothing it fronts has answered one probe; every call meanwhile is a 502.
 *
 * <p>Should be: an instance no probe has yet found healthy is not healthy for readiness (or the replica is not ready
 * until each checked route's first probe round has found one healthy instance). Control: with {@code unhealthy-after: 1}
 * the first refused probe makes /readyz 503 at once, so the probe itself runs and fails.
 */
class ReadyBeforeAnyHealthyProbeReviewBPTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private Gateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (http != null) {
            http.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static int closedPort() throws Exception {
        return dev.tollgate.gateway.support.TestPorts.unclaimed();
    }

    private Gateway start(int unhealthyAfter) throws Exception {
        int down = closedPort();
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstreams: [{url: "http://127.0.0.1:%d/mcp"}]
                    health-check: {interval: 20s, timeout: 1s, probe: tcp, unhealthy-after: %d}
                """.formatted(TOKEN, down, unhealthyAfter));
        return Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private int readyz() throws Exception {
        return http.send(new RequestOptions().setHost("127.0.0.1").setPort(gateway.adminPort()).setURI("/readyz"), null).status();
    }

    /** /readyz within 5 s of start (the first probe is sent at once and refused within milliseconds). */
    private int readinessSoonAfterStart() throws Exception {
        try {
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> readyz() == 503);
        } catch (ConditionTimeoutException e) {
            // reported by the assertion
        }
        return readyz();
    }

    @Test
    void controlOneRefusedProbeMakesTheReplicaUnready() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        gateway = start(1);
        assertThat(readinessSoonAfterStart()).isEqualTo(503);
    }

    @Test
    void aReplicaWhoseOnlyCheckedInstanceNeverAnsweredIsNotReady() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        gateway = start(2);
        assertThat(readinessSoonAfterStart())
                .as("/readyz 5 s after start; the route's only instance refused the first probe and has never answered one")
                .isEqualTo(503);
    }
}
