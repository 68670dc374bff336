package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.ConfigProblem;
import dev.tollgate.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate verify --config FILE}: the same validation as {@code run}, without starting anything. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Validate a configuration; print every problem as file:line: field: message. Exit 1 on error.")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "gateway.yaml")
    Path config;

    @Override
    public Integer call() {
        try {
            GatewayConfig loaded = ConfigLoader.load(config);
            System.out.printf("OK: %s is valid (%d listener(s), %d route(s))%n", config, loaded.listeners().size(), loaded.routes().size());
            return 0;
        } catch (ConfigException e) {
            printProblems(e);
            return 1;
        }
    }

    static void printProblems(ConfigException e) {
        for (ConfigProblem problem : e.problems()) {
            System.err.println("error: " + problem);
        }
        System.err.printf("%d problem(s) found%n", e.problems().size());
    }
}
