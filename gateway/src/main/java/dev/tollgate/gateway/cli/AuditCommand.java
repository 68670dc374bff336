package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tollgate audit verify FILE|DIR...}: recomputes the hash chain and reports the first broken record. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit log tools.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify the hash chain of audit files (in chain order; a directory means all its audit-*.jsonl). Exit 1 at the first broken record.")
    static final class Verify implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "audit files or directories, oldest first")
        List<Path> inputs;

        @Override
        public Integer call() throws IOException {
            AuditVerifier.Result result = AuditVerifier.verify(expand(inputs));
            (result.ok() ? System.out : System.err).println(result);
            return result.ok() ? 0 : 1;
        }
    }

    /** Directories become their audit files in chain order; files stay as given. */
    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                files.addAll(AuditFiles.inOrder(input));
            } else {
                files.add(input);
            }
        }
        return files;
    }
}
