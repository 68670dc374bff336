package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate run --config FILE}: validates the configuration and policies, serves until stopped, hot-reloads. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Start the gateway.")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "gateway.yaml")
    Path config;

    @Option(names = "--event-loops", paramLabel = "N", description = "Listener event loops (default: one per CPU).")
    Integer eventLoops;

    @Option(names = "--reload-interval", paramLabel = "MILLIS", defaultValue = "2000",
            description = "How often to check the config file and policies for changes; 0 disables hot reload (default: ${DEFAULT-VALUE}).")
    long reloadIntervalMillis;

    @Option(names = "--transport", paramLabel = "native|nio", defaultValue = "nio",
            description = "Network transport: nio, or native (Linux epoll, falling back to nio where it does not load) (default: ${DEFAULT-VALUE}).")
    String transport;

    @Override
    public Integer call() throws Exception {
        GatewayVertx.Transport chosen;
        try {
            chosen = GatewayVertx.Transport.valueOf(transport.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate: --transport must be native or nio, got '" + transport + "'");
            return 2;
        }
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        GatewaySnapshot snapshot;
        // The watcher reloads what changed from here on: an edit while the gateway starts is not taken as loaded.
        java.time.Instant loadStarted = java.time.Instant.now();
        try {
            snapshot = loader.load(config);
        } catch (ConfigException e) {
            VerifyCommand.printProblems(e);
            return 1;
        }
        Vertx vertx = GatewayVertx.create(chosen);
        ReloadWatcher[] watcher = new ReloadWatcher[1];
        Gateway gateway;
        try {
            gateway = GatewayProcess.start(vertx, snapshot,
                    eventLoops == null ? Runtime.getRuntime().availableProcessors() : eventLoops,
                    () -> {
                        if (watcher[0] != null) {
                            watcher[0].close();
                        }
                    }, config.toString());
        } catch (GatewayProcess.StartFailed e) {
            System.err.println(e.getMessage());
            return 1;
        }
        watcher[0] = new ReloadWatcher(config, gateway, loader);
        if (reloadIntervalMillis > 0) {
            watcher[0].start(Duration.ofMillis(reloadIntervalMillis), loadStarted);
        }
        gateway.admin().reloader(watcher[0]::reloadNow);
        GatewayConfig loaded = snapshot.config();
        for (int i = 0; i < loaded.listeners().size(); i++) {
            var listener = loaded.listeners().get(i);
            System.out.printf("tollgate: listener %s on %s://%s:%d%s%n", listener.name(), listener.tls() == null ? "http" : "https",
                    listener.host(), gateway.ports().get(i), listener.tls() == null ? "" : " (mTLS, SPIFFE SVIDs required)");
        }
        loaded.routes().forEach(r -> System.out.printf("tollgate: route %s %s -> %s (%s, policy %s)%n", r.name(), r.path(),
                r.upstreams().endpoints().size() == 1 ? r.upstream() : r.upstreams().endpoints().stream().map(e -> e.url().toString()).toList()
                        + " (" + r.upstreams().balance().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")",
                r.protocol().yamlName(), r.policy() == null ? "none: every call denied" : r.policy()));
        System.out.printf("tollgate: admin on http://%s:%d (/healthz /readyz /metrics /explain /reload /admin/config)%n", loaded.admin().host(), gateway.adminPort());
        System.out.printf("tollgate: transport %s%n", GatewayVertx.describe(vertx));
        return 0;
    }
}
