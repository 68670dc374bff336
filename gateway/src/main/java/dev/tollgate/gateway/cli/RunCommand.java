package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate run --config FILE}: validates the configuration and serves until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Start the gateway.")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "gateway.yaml")
    Path config;

    @Option(names = "--event-loops", paramLabel = "N", description = "Listener event loops (default: one per CPU).")
    Integer eventLoops;

    @Override
    public Integer call() throws Exception {
        GatewayConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            VerifyCommand.printProblems(e);
            return 1;
        }
        Vertx vertx = Vertx.vertx();
        Gateway gateway = GatewayProcess.start(vertx, loaded);
        for (int i = 0; i < loaded.listeners().size(); i++) {
            var listener = loaded.listeners().get(i);
            System.out.printf("tollgate: listener %s on http://%s:%d%n", listener.name(), listener.host(), gateway.ports().get(i));
        }
        loaded.routes().forEach(r -> System.out.printf("tollgate: route %s %s -> %s (%s)%n", r.name(), r.path(), r.upstream(), r.protocol().yamlName()));
        System.out.printf("tollgate: admin on http://%s:%d (/healthz /readyz /metrics)%n", loaded.admin().host(), gateway.adminPort());
        return 0;
    }
}
