package dev.tollgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.Cli;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportAgtCommandTest {

    private static final String CONVERTIBLE = """
            version: "1.0"
            name: bank
            defaults: {action: deny, max_tokens: 100}
            rules:
              - name: block-shell
                condition: {field: tool_name, operator: eq, value: shell}
                action: block
                priority: "95"
              - name: allow-reads
                condition: {field: tool_name, operator: in, value: [read_file, list_dir]}
                action: allow
            """;
    private static final String PARTLY = """
            version: "1.0"
            name: partly
            rules:
              - name: block-ssn
                condition: {field: input_text, operator: matches, value: "\\\\b\\\\d{3}-\\\\d{2}-\\\\d{4}\\\\b"}
                action: block
              - name: block-admin-route
                condition: {field: route, operator: eq, value: admin}
                action: deny
              - name: high-amount
                condition: {field: amount, operator: gt, value: 5000}
                action: deny
              - name: block-drop
                condition: {field: query, operator: matches, value: "(?i)drop table"}
                action: deny
            """;

    @TempDir
    Path dir;

    @Test
    void writesNativeDocumentsThatLoadAndExitsZeroWhenEveryRuleConverts() throws Exception {
        Files.writeString(dir.resolve("bank.yaml"), CONVERTIBLE);

        Cli.Result result = Cli.run("import-agt", dir.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        Path written = dir.resolve("native/bank.yaml");
        assertThat(result.out()).contains(dir.resolve("bank.yaml") + " -> " + written + ": 2 rule(s): 2 converted exactly",
                "note: dropped defaults.max_tokens", "converted block-shell", "every rule converted");
        CompiledPolicy policy = PolicyLoader.parse(Files.readString(written), written.toString(), CheckRegistry.withDefaults());
        assertThat(policy.name()).isEqualTo("bank");
        assertThat(policy.rules()).extracting(r -> r.name() + "@" + r.priority() + ":" + r.action())
                .containsExactly("block-shell@95:DENY", "allow-reads@0:ALLOW");
    }

    @Test
    void listsRulesNotConvertedInTheOutputAndTheFileHeaderAndExitsTwo() throws Exception {
        Files.writeString(dir.resolve("partly.yml"), PARTLY);
        Path out = dir.resolve("out");

        Cli.Result result = Cli.run("import-agt", dir.toString(), "--out", out.toString());

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.out()).contains("4 rule(s): 1 converted exactly, 1 converted with notes, 2 not converted",
                "converted block-drop: AGT searches the Python text of a list or mapping value",
                "NOT CONVERTED block-ssn: Python regex semantics differ (\\b is Unicode-aware in AGT, ASCII in RE2)",
                "NOT CONVERTED block-admin-route: no native condition reads the route name",
                "defaults.action was omitted, which AGT 5.0.0 reads as deny");
        String written = Files.readString(out.resolve("partly.yaml"));
        assertThat(written).startsWith("# Converted by `tollgate import-agt` from the AGT 5.0.0 document partly.yml")
                .contains("# NOT CONVERTED (these rules are omitted; this document does not enforce them):",
                        "#   - block-ssn: Python regex semantics differ", "#   - block-admin-route: no native condition",
                        "# Converted with a note (1 rule(s): block-drop): AGT searches the Python text");
        CompiledPolicy policy = PolicyLoader.parse(written, "partly.yaml", CheckRegistry.withDefaults());
        assertThat(policy.rules()).extracting(r -> r.name()).containsExactly("high-amount", "block-drop");
        assertThat(policy.defaultDecision().action()).hasToString("DENY");
    }

    @Test
    void refusesToOverwriteWithoutForce() throws Exception {
        Files.writeString(dir.resolve("bank.yaml"), CONVERTIBLE);
        Files.createDirectories(dir.resolve("native"));
        Files.writeString(dir.resolve("native/bank.yaml"), "keep me");

        Cli.Result refused = Cli.run("import-agt", dir.toString());

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains(dir.resolve("native/bank.yaml") + " exists: pass --force to overwrite it", "nothing written");
        assertThat(Files.readString(dir.resolve("native/bank.yaml"))).isEqualTo("keep me");

        Cli.Result forced = Cli.run("import-agt", dir.toString(), "--force");

        assertThat(forced.exit()).isZero();
        assertThat(Files.readString(dir.resolve("native/bank.yaml"))).contains("name: \"bank\"");
    }

    @Test
    void aDocumentThatIsNotAgtIsAnErrorAndNothingIsWritten() throws Exception {
        Files.writeString(dir.resolve("bank.yaml"), CONVERTIBLE);
        Files.writeString(dir.resolve("native-already.yaml"), "name: p\nrules:\n  - name: r\n    condition: {tool: x}\n    action: deny\n");

        Cli.Result result = Cli.run("import-agt", dir.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains(dir.resolve("native-already.yaml") + ": not an AGT document", "nothing written");
        assertThat(dir.resolve("native")).doesNotExist();
    }

    @Test
    void unreadableYamlAndMissingDirectoryAreErrors() throws Exception {
        Files.writeString(dir.resolve("broken.yaml"), "name: [unclosed\n");

        assertThat(Cli.run("import-agt", dir.toString()).err()).contains(dir.resolve("broken.yaml").toString(), "nothing written");
        Cli.Result missing = Cli.run("import-agt", dir.resolve("nope").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("is not a directory");
    }
}
