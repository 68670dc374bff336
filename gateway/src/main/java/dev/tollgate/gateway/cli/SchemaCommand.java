package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.schema.SchemaFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate schema --out DIR}: the JSON Schemas of gateway.yaml and of policy documents, generated from the loaders. */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Write DIR/gateway.schema.json and DIR/policy.schema.json (JSON Schema 2020-12) for editors and CI checks.")
final class SchemaCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
        for (Path file : SchemaFiles.write(out)) {
            System.out.println("wrote " + file);
        }
        return 0;
    }
}
