package dev.tollgate.gateway.cli;

import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.agt.AgtImportException;
import dev.tollgate.policy.agt.AgtImporter;
import dev.tollgate.policy.agt.ImportResult;
import dev.tollgate.policy.agt.NativeDocumentWriter;
import dev.tollgate.policy.agt.RuleImport;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tollgate import-agt DIR}: converts every AGT document in DIR to a native document in OUTDIR and says,
 * per rule, what it could not convert. All or nothing: when a file cannot be read or is not an AGT document, or a
 * target exists without {@code --force}, nothing is written.
 */
@Command(name = "import-agt", mixinStandardHelpOptions = true,
        description = "Convert Agent Governance Toolkit documents (*.yaml, *.yml in DIR) to native Tollgate documents, "
                + "rule by rule; rules that cannot decide exactly as in AGT are left out and listed. Exit 0 when every rule "
                + "converted, 2 when some did not (documents still written), 1 on errors (nothing written).")
final class ImportAgtCommand implements Callable<Integer> {

    static final int EXIT_ALL_CONVERTED = 0;
    static final int EXIT_ERROR = 1;
    static final int EXIT_SOME_NOT_CONVERTED = 2;

    @Parameters(index = "0", paramLabel = "DIR", description = "directory of AGT documents")
    Path dir;

    @Option(names = "--out", paramLabel = "OUTDIR", description = "where to write the native documents (default: DIR/native)")
    Path out;

    @Option(names = "--force", description = "overwrite native documents already in OUTDIR")
    boolean force;

    @Override
    public Integer call() {
        Path outDir = out != null ? out : dir.resolve("native");
        List<String> errors = new ArrayList<>();
        Map<Path, ImportResult> results = new LinkedHashMap<>();
        for (Path file : documents(errors)) {
            ImportResult result = convert(file, errors);
            if (result == null) {
                continue;
            }
            Path target = outDir.resolve(baseName(file) + ".yaml");
            if (results.keySet().stream().anyMatch(p -> target.equals(outDir.resolve(baseName(p) + ".yaml")))) {
                errors.add(file + ": another document in " + dir + " is also written to " + target);
            } else if (Files.exists(target) && !force) {
                errors.add(target + " exists: pass --force to overwrite it");
            }
            results.put(file, result);
        }
        if (!errors.isEmpty()) {
            errors.forEach(e -> System.err.println("error: " + e));
            System.err.println("nothing written");
            return EXIT_ERROR;
        }
        try {
            Files.createDirectories(outDir);
            for (Map.Entry<Path, ImportResult> e : results.entrySet()) {
                write(e.getKey(), e.getValue(), outDir.resolve(baseName(e.getKey()) + ".yaml"));
            }
        } catch (IOException | PolicyException e) {
            System.err.println("error: " + e.getMessage());
            return EXIT_ERROR;
        }
        long incomplete = results.values().stream().filter(r -> !r.complete()).count();
        System.out.printf("%d document(s) written to %s; %s%n", results.size(), outDir,
                incomplete == 0 ? "every rule converted" : incomplete + " with rules not converted (listed above and in each file's header)");
        return incomplete == 0 ? EXIT_ALL_CONVERTED : EXIT_SOME_NOT_CONVERTED;
    }

    private List<Path> documents(List<String> errors) {
        if (!Files.isDirectory(dir)) {
            errors.add(dir + " is not a directory");
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(Files::isRegularFile).filter(dev.tollgate.policy.PolicyLoader::isPolicyFile).sorted().toList();
            if (found.isEmpty()) {
                errors.add("no *.yaml or *.yml documents in " + dir);
            }
            return found;
        } catch (IOException e) {
            errors.add(dir + ": cannot list: " + e.getMessage());
            return List.of();
        }
    }

    private static ImportResult convert(Path file, List<String> errors) {
        try {
            return AgtImporter.convert(PolicyLoader.readDocument(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            errors.add(file + ": cannot read: " + e.getMessage());
        } catch (YamlSyntaxException e) {
            errors.add(file + ":" + e.line() + ": " + e.getMessage());
        } catch (AgtImportException e) {
            errors.add(file + ": " + e.getMessage());
        }
        return null;
    }

    private static void write(Path source, ImportResult result, Path target) throws IOException, PolicyException {
        String text = NativeDocumentWriter.write(result, source.getFileName().toString());
        // The importer's promise, checked before anything lands on disk: the document loads as a native one.
        PolicyLoader.parse(text, target.toString(), CheckRegistry.withDefaults());
        Files.writeString(target, text, StandardCharsets.UTF_8);
        long exact = result.rules().stream().filter(r -> r instanceof RuleImport.Converted c && c.exact()).count();
        long noted = result.rules().stream().filter(r -> r instanceof RuleImport.Converted c && !c.exact()).count();
        System.out.printf("%s -> %s: %d rule(s): %d converted exactly, %d converted with notes, %d not converted%n", source, target,
                result.rules().size(), exact, noted, result.notConverted().size());
        result.notes().forEach(n -> System.out.println("  note: " + n));
        for (RuleImport rule : result.rules()) {
            if (rule instanceof RuleImport.NotConverted n) {
                System.out.println("  NOT CONVERTED " + n.name() + ": " + n.reason());
            } else if (rule instanceof RuleImport.Converted c) {
                System.out.println("  converted " + c.name() + (c.exact() ? "" : ": " + String.join("; ", c.notes())));
            }
        }
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }
}
