package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revJ): the pricing table ({@code budgets.pricing: pricing.yaml}) is part of the snapshot and is re-read on a
 * reload (Gateway.swap: "the pricing table reloads"), but ReloadWatcher.fingerprint watches the config file, the policy
 * directory, the AXID JWKS file, the TLS files and the pin manifests, not the pricing file. An operator who raises a
 * tool's price (so budget rules deny sooner, and holds reserve more) sees nothing happen: budget decisions keep using
 * the old prices until some other watched file changes. Control: touching gateway.yaml applies the new prices.
 * Should be: the pricing file is fingerprinted like the other files a snapshot is built from.
 *
 * <p>Fixed: the reload watcher fingerprints the pricing table (PricingTable.source).
 */
class PricingFileReloadReviewTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(dir.resolve("pricing.yaml"), "routes:\n  r:\n    default: 0.01\n    tools:\n      synthesize: 0.30\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                budgets: {pricing: pricing.yaml}
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(upstream.url("/mcp")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofMillis(50));
    }

    @AfterEach
    void stop() throws Exception {
        watcher.close();
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private long price() {
        return gateway.snapshot().config().budget().pricing().estimateMicros("r", "synthesize");
    }

    @Test
    void aChangedPricingFileIsReloaded() throws Exception {
        assertThat(price()).isEqualTo(300_000);

        Files.writeString(dir.resolve("pricing.yaml"), "routes:\n  r:\n    default: 0.01\n    tools:\n      synthesize: 0.90\n");

        boolean reloaded;
        try {
            // Only a liveness bound (a poll every 50 ms, a 250 ms settle): a loaded machine may take seconds to reload.
            await().atMost(Duration.ofSeconds(10)).until(() -> price() == 900_000);
            reloaded = true;
        } catch (ConditionTimeoutException e) {
            reloaded = false;
        }
        double reloads = gateway.metrics().registry().find("tollgate.reloads").counters().stream().mapToDouble(c -> c.count()).sum();
        // Control: any change to a watched file brings the new prices in.
        Files.writeString(config, Files.readString(config) + "\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> price() == 900_000);

        assertThat(reloaded).as("synthesize still priced at the old $0.30 ten seconds after pricing.yaml said $0.90 (%s reloads meanwhile)", reloads)
                .isTrue();
    }
}
