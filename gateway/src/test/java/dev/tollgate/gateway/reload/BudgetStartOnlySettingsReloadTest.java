package dev.tollgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.support.RecordingUpstream;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review BP (fix): whether calls are charged ({@code budgets.enabled}) follows the serving snapshot, and every budgets
 * setting read only at start is named in the reload's {@code needRestart}: max-staleness, timeout, hold-expiry and
 * drain-timeout were ignored on reload without a word.
 */
class BudgetStartOnlySettingsReloadTest {

    private static final String ALLOW = "name: p\ndefaults: {action: allow}\nrules: []\n";

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
        Files.writeString(dir.resolve("policies/p.yaml"), ALLOW);
        config = dir.resolve("gateway.yaml");
    }

    private void startWith(String extra) throws Exception {
        Files.writeString(config, yaml(extra));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    private String yaml(String extra) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                %s
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(extra, upstream.url("/mcp"));
    }

    private ReloadResult reloadTo(String extra) throws Exception {
        Files.writeString(config, yaml(extra));
        return watcher.reloadNow().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hold-expiry: 10m", "timeout: 900ms", "drain-timeout: 30s", "on-ledger-error: allow-stale, max-staleness: 5s",
            "cache-ttl: 3s", "mode: strict"})
    void aChangedStartOnlySettingIsNamedInNeedRestart(String setting) throws Exception {
        startWith(setting.startsWith("on-ledger-error") ? "budgets: {on-ledger-error: allow-stale, max-staleness: 2s}" : "budgets: {ledger: memory}");

        ReloadResult result = reloadTo("budgets: {" + setting + "}");

        assertThat(result.applied()).as(result.problems().toString()).isTrue();
        assertThat(result.needRestart()).as(setting).contains("budgets (ledger settings)");
    }

    @Test
    void removingTheBudgetsSectionStopsChargingAndNeedsNoRestart() throws Exception {
        startWith("budgets: {ledger: memory}");
        assertThat(gateway.services().budgets().accounting()).isTrue();

        ReloadResult result = reloadTo("");

        assertThat(result.applied()).as(result.problems().toString()).isTrue();
        assertThat(result.needRestart()).isEmpty();
        assertThat(gateway.services().budgets().accounting()).isFalse();

        result = reloadTo("budgets: {ledger: memory}");
        assertThat(result.needRestart()).isEmpty();
        assertThat(gateway.services().budgets().accounting()).isTrue();
    }
}
