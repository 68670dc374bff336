package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.audit.AuditKey;
import dev.tollgate.gateway.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tollgate audit verify [--expect-seq N] [--key FILE]... [--anchor SEQ:HASH]... FILE|DIR...}: recomputes the hash chain and reports the
 * first broken record; with {@code --expect-seq}, also a log that ends before record N (its tail removed, which
 * a hash chain alone cannot show); with {@code --key}, checks the seals made under {@code audit.key-file}, which only
 * the key's holder can make again. {@code tollgate audit digest --key FILE}: the finding digest of each line of standard
 * input under that key.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit log tools.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Digest.class})
final class AuditCommand {

    /**
     * {@code tollgate audit digest --key FILE}: the digest a record of a finding under that key carries for each line of
     * standard input, so a value known to someone holding the key (a leaked key, a customer's card) can be looked for in
     * the records. Read from standard input, not the command line, which the shell's history and {@code ps} keep.
     */
    @Command(name = "digest", mixinStandardHelpOptions = true,
            description = "Print, for each line of standard input, the digest (result.findings[].digest) a record of that text as a "
                    + "finding carries under the gateway's audit.digest-key-file (or audit.key-file); grep the audit files for it.")
    static final class Digest implements Callable<Integer> {

        @Option(names = "--key", paramLabel = "FILE", required = true,
                description = "the gateway's audit.digest-key-file, or its audit.key-file when it has none (the digest key is derived from it)")
        Path keyFile;

        @Option(names = "--arguments", description = "each line is a call's arguments as JSON (as the record keeps them: after "
                + "telemetry.redact): print the args_digest a record of them carries")
        boolean arguments;

        @Override
        public Integer call() throws IOException {
            byte[] key;
            try {
                key = dev.tollgate.policy.detect.FindingDigest.keyFrom(dev.tollgate.gateway.config.AuditKeyFile.read(keyFile));
            } catch (IOException e) {
                System.err.println("error: --key: " + (e instanceof java.nio.file.NoSuchFileException ? keyFile + " does not exist" : e.getMessage()));
                return 2;
            }
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
            com.fasterxml.jackson.databind.ObjectMapper json = dev.tollgate.protocols.json.ExactNumbers.readingExactly(
                    new com.fasterxml.jackson.databind.ObjectMapper());
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!arguments) {
                    System.out.println(dev.tollgate.policy.detect.FindingDigest.of(key, line));
                    continue;
                }
                try {
                    System.out.println(dev.tollgate.gateway.audit.ArgumentsDigests.of(key, json.readTree(line)));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    System.err.println("error: --arguments: a line is not JSON: " + e.getOriginalMessage());
                    return 2;
                }
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify the hash chain and the seq numbering of audit files (in chain order; a directory means all its "
                    + "audit-*.jsonl). Exit 1 at the first broken record, or when the log ends before --expect-seq.")
    static final class Verify implements Callable<Integer> {

        private static final java.util.regex.Pattern ANCHOR = java.util.regex.Pattern.compile("([1-9][0-9]{0,17}):([0-9a-fA-F]{64})");

        @Option(names = "--expect-seq", paramLabel = "N",
                description = "fail unless the log reaches record N (e.g. the gateway's tollgate_audit_last_seq)")
        Long expectSeq;

        @Option(names = "--key", paramLabel = "FILE",
                description = "the gateway's audit.key-file: every record must be sealed with it (HMAC-SHA256), so a log "
                        + "edited and sealed again by someone without the key fails. Repeat it for a key rotated at restarts, "
                        + "oldest first: records must be sealed with the keys in that order, the last with the newest")
        List<Path> keyFiles;

        @Option(names = "--anchor", paramLabel = "SEQ:HASH",
                description = "a chain end taken off the host (the gateway logs 'audit chain closed at seq N, hash H' at every "
                        + "stop): the record with that seq must carry that hash, so records up to it removed or sealed again "
                        + "since fail. Repeatable")
        List<String> anchors;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "audit files or directories, oldest first")
        List<Path> inputs;

        @Override
        public Integer call() throws IOException {
            String missing = missing(inputs);
            if (missing != null) {
                System.err.println("error: " + missing);
                return 2;
            }
            List<AuditKey> keys = new ArrayList<>();
            for (Path keyFile : keyFiles == null ? List.<Path>of() : keyFiles) {
                try {
                    keys.add(AuditKey.read(keyFile));
                } catch (IOException e) {
                    System.err.println("error: --key: " + (e instanceof java.nio.file.NoSuchFileException ? keyFile + " does not exist" : e.getMessage()));
                    return 2;
                }
            }
            java.util.Map<Long, String> anchored = new java.util.HashMap<>();
            for (String anchor : anchors == null ? List.<String>of() : anchors) {
                java.util.regex.Matcher m = ANCHOR.matcher(anchor);
                if (!m.matches() || anchored.putIfAbsent(Long.parseLong(m.group(1)), m.group(2)) != null) {
                    System.err.println("error: --anchor " + anchor + ": expected SEQ:HASH (a seq and the 64 hex digits of its hash, "
                            + "as the gateway logs them at close), each seq once");
                    return 2;
                }
            }
            AuditVerifier.Result result = AuditVerifier.verify(expand(inputs), keys, anchored);
            (result.ok() ? System.out : System.err).println(result);
            printLossNotes(inputs);
            if (result.ok() && expectSeq != null && result.lastSeq() < expectSeq) {
                System.err.println("INCOMPLETE: the log ends at seq " + result.lastSeq() + ", expected at least " + expectSeq
                        + " (records missing at the end)");
                return 1;
            }
            return result.ok() ? 0 : 1;
        }
    }

    /**
     * Why the inputs cannot be read, naming the path and what writes audit files there, or null. A gateway writes
     * its log only once {@code audit.directory} is set and the first call is recorded, so a missing path is the
     * common first mistake, not an internal error.
     */
    static String missing(List<Path> inputs) throws IOException {
        for (Path input : inputs) {
            if (!Files.exists(input)) {
                return input + " does not exist: audit files are written to the configured audit.directory (relative to the "
                        + "config file) once the first call is recorded; is audit: {directory: ...} set in gateway.yaml?";
            }
            if (Files.isDirectory(input) && AuditFiles.inOrder(input).isEmpty()) {
                return input + " holds no audit files (audit-*.jsonl): no call has been recorded there yet";
            }
        }
        return null;
    }

    /**
     * The writer's notes of files that vanished while it wrote them (removed, renamed away, replaced, cut): the records they
     * held are missing, and the chain breaks (prev, seq) at the first record written after. Said whatever the result, since
     * a note explains a break and a renamed file given back in order verifies.
     */
    private static void printLossNotes(List<Path> inputs) throws IOException {
        for (Path input : inputs) {
            for (Path note : AuditFiles.lossNotes(input)) {
                String text;
                try {
                    text = Files.readString(note, java.nio.charset.StandardCharsets.UTF_8).strip();
                } catch (IOException | RuntimeException e) {
                    text = "(unreadable: " + e.getMessage() + ")";
                }
                System.err.println("NOTE: " + note + ": the gateway found an audit file gone while it wrote it; the records it "
                        + "held are not in this directory (unless kept elsewhere): " + text);
            }
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
