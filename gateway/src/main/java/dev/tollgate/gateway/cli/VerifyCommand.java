package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.config.AdminConfig;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigProblem;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyTestResult;
import dev.tollgate.policy.PolicyTestRunner;
import dev.tollgate.policy.check.CheckRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate verify --config FILE}: the same validation as {@code run} (config and policies), then
 * the policy test cases kept beside the policies, without starting anything.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Validate a configuration and its policies, and run the policy test cases (*.tests.yaml). "
                + "Prints every problem as file:line: field: message. Exit 1 on any error or failed test.")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "gateway.yaml")
    Path config;

    @Override
    public Integer call() {
        GatewaySnapshot snapshot;
        try {
            snapshot = new SnapshotLoader(CheckRegistry.withDefaults()).load(config);
        } catch (ConfigException e) {
            printProblems(e);
            return 1;
        }
        snapshot.config().routes().stream().filter(r -> r.policy() == null).forEach(r ->
                System.out.printf("warning: route %s has no policy: every policed call on it is denied (fail closed)%n", r.name()));
        adminTokenWarning(snapshot.config().admin()).ifPresent(w -> System.out.println("warning: " + w));
        java.util.Set<String> used = new java.util.HashSet<>();
        snapshot.config().routes().forEach(r -> used.add(r.policy()));
        snapshot.policies().all().stream().filter(p -> !used.contains(p.name())).forEach(p -> System.out.printf(
                "warning: policy %s is used by no route (a route names it with policy: %s); it decides nothing%n", p.name(), p.name()));
        // Documents that loaded but carry settings the gateway does not enforce (AGT sandbox and LLM limits).
        snapshot.policies().all().forEach(p -> p.warnings().forEach(w -> System.out.println("warning: " + w)));
        Path policies = snapshot.config().policyDirectory();
        List<PolicyTestResult> results = List.of();
        if (policies != null) {
            try {
                results = PolicyTestRunner.run(snapshot.policies(), policies);
            } catch (PolicyException e) {
                e.problems().forEach(p -> System.err.println("error: " + p));
                return 1;
            }
        }
        results.stream().filter(r -> !r.passed()).forEach(r -> System.err.println(r));
        long failed = results.stream().filter(r -> !r.passed()).count();
        System.out.printf("%s: %s is valid (%d listener(s), %d route(s), %d polic%s); policy tests: %d passed, %d failed%n",
                failed == 0 ? "OK" : "FAILED", config, snapshot.config().listeners().size(), snapshot.config().routes().size(),
                snapshot.policies().all().size(), snapshot.policies().all().size() == 1 ? "y" : "ies", results.size() - failed, failed);
        return failed == 0 ? 0 : 1;
    }

    /** Without admin.token, POST /explain and /reload are open to local processes, or refused off loopback. */
    static Optional<String> adminTokenWarning(AdminConfig admin) {
        if (admin.token() != null) {
            return Optional.empty();
        }
        return Optional.of(admin.boundToLoopback()
                ? "admin.token is not set: POST /explain and POST /reload on " + admin.host() + ":" + admin.port()
                        + " are open to every local process (set admin.token, e.g. ${TOLLGATE_ADMIN_TOKEN})"
                : "admin.token is not set and admin.host " + admin.host() + " is not a loopback address: POST /explain and"
                        + " POST /reload are refused (403 admin_token_not_configured) until admin.token is set");
    }

    static void printProblems(ConfigException e) {
        for (ConfigProblem problem : e.problems()) {
            System.err.println("error: " + problem);
        }
        System.err.printf("%d problem(s) found%n", e.problems().size());
    }
}
