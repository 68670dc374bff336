package dev.tollgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VerifyCommandTest {

    @TempDir
    Path dir;

    @Test
    void validConfigExitsZero() {
        Result result = run("verify", "--config", "../conf/gateway.yaml");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("OK: ../conf/gateway.yaml is valid");
    }

    @Test
    void invalidConfigPrintsFileLineAndFieldAndExitsOne() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                listeners:
                  - name: public
                    port: 8080
                routes:
                  - name: r
                    path: /mcp
                    protocol: mcp
                    upstream: not-a-url
                """);

        Result result = run("verify", "--config", bad.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains(bad + ":8: routes[0].upstream: must be an absolute http or https URL");
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new TollgateCommand()).execute(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
