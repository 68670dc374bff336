package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CB finding 3, fixed: explain has no live usage, so a rate-limit check is taken as not limited and the output
 * says it was not evaluated (not a fail-closed deny); {@code --facts} decides it as given.
 */
class ExplainFactsFixASTest {

    @TempDir
    Path dir;

    private Path config() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: export-rate
                    condition: {all: [{tool: "export*"}, {check: {name: rate_limit, args: {rate: 100, period: 1m, burst: 100}}}]}
                    action: deny
                """);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "http://127.0.0.1:9/mcp"}
                """.formatted(dir.resolve("policies")));
        return config;
    }

    @Test
    void aRateRuleIsTakenAsNotLimitedAndSaidSo() throws Exception {
        Cli.Result explain = Cli.run("explain", "--config", config().toString(), "--route", "tools", "--call", "{\"tool\":\"export_table\"}");

        assertThat(explain.exit()).as(explain.out() + explain.err()).isZero();
        assertThat(explain.out()).contains("note:", "not evaluated: export-rate");
    }

    @Test
    void factsDecideTheRateRule() throws Exception {
        Cli.Result explain = Cli.run("explain", "--config", config().toString(), "--route", "tools", "--call", "{\"tool\":\"export_table\"}",
                "--facts", "{\"rate_limited\": true}");

        assertThat(explain.exit()).as(explain.out() + explain.err()).isEqualTo(3);
        assertThat(explain.out()).contains("export-rate").doesNotContain("not evaluated");
    }
}
