package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.audit.AuditReplay;
import dev.tollgate.policy.PolicyBundle;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate replay --audit FILE... --policies DIR}: re-decides recorded calls with another policy set
 * and reports what would change, so a policy change can be tried on past traffic before it ships.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-evaluate the calls in audit files against a policy directory and report the decisions that would change. "
                + "Exit 0 when nothing changes, 4 when something does.")
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--audit", required = true, arity = "1..*", paramLabel = "FILE", description = "audit files or directories, oldest first")
    List<Path> audit;

    @Option(names = "--policies", required = true, paramLabel = "DIR", description = "the policy set to try")
    Path policies;

    @Option(names = "--policy", paramLabel = "NAME", description = "replay every record against this policy instead of the one that decided it")
    String policy;

    @Option(names = "--key", paramLabel = "FILE",
            description = "the gateway's audit.digest-key-file, or its audit.key-file when it has none (as for 'audit digest'): each "
                    + "record's arguments are checked against its keyed args_digest; without it, keyed digests are not checked (said in the report)")
    Path keyFile;

    @Override
    public Integer call() throws IOException {
        byte[] digestKey = null;
        if (keyFile != null) {
            try {
                digestKey = dev.tollgate.policy.detect.FindingDigest.keyFrom(dev.tollgate.gateway.config.AuditKeyFile.read(keyFile));
            } catch (IOException e) {
                System.err.println("error: --key: " + (e instanceof java.nio.file.NoSuchFileException ? keyFile + " does not exist" : e.getMessage()));
                return 2;
            }
        }
        PolicyBundle bundle;
        try {
            bundle = PolicyLoader.loadDirectory(policies, CheckRegistry.withDefaults());
        } catch (PolicyException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        }
        String missing = AuditCommand.missing(audit);
        if (missing != null) {
            System.err.println("error: " + missing);
            return 2;
        }
        AuditReplay.Report report = AuditReplay.replay(AuditCommand.expand(audit), bundle, policy, digestKey);
        System.out.print(report.render());
        return report.replayed() == report.unchanged() ? 0 : 4;
    }
}
