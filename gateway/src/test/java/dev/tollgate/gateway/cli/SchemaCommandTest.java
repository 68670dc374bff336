package dev.tollgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.schema.SchemaFiles;
import dev.tollgate.gateway.support.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaCommandTest {

    /** The command writes exactly what SchemaTest compares schemas/ with, so its advice to run it is sound. */
    @Test
    void writesBothSchemasIntoANewDirectory(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("new/schemas");
        Cli.Result result = Cli.run("schema", "--out", out.toString());
        assertThat(result.exit()).as(result.err()).isZero();
        Map<String, String> expected = SchemaFiles.render();
        assertThat(expected).containsOnlyKeys("gateway.schema.json", "policy.schema.json");
        for (Map.Entry<String, String> file : expected.entrySet()) {
            assertThat(Files.readString(out.resolve(file.getKey()))).isEqualTo(file.getValue());
            assertThat(result.out()).contains(out.resolve(file.getKey()).toString());
        }
    }
}
