package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.yaml.LocatedYaml;
import dev.tollgate.policy.yaml.YamlSyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CD (AS, the policy YAML reading): a policy file or a test file holding several YAML documents ({@code ---}, as
 * Kubernetes manifests are written) is read as its first document only. {@code LocatedYaml.parse} takes Jackson's
 * {@code readTree}, which stops after one document, and nothing says so: the rules and test cases after the first
 * {@code ---} are dropped at load. PyYAML's {@code safe_load} (what AGT reads with) refuses such a stream ("expected a
 * single document"). Either reading every document or refusing the file, naming its line, would do. Worse, fixAS's
 * YAML 1.2 re-typing walks every document's tokens and writes what it re-types into the first document's tree at the
 * same pointer: a later document's {@code 010} replaces the first's value there.
 */
class MultiDocumentFileReviewCDTest {

    @Test
    void aPolicyInASecondDocumentIsLoadedOrTheFileRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: no-delete, condition: {tool: delete_file}, action: deny}
                ---
                name: q
                defaults: {action: allow}
                rules:
                  - {name: no-shell, condition: {tool: shell}, action: deny}
                """);
        PolicyBundle bundle;
        try {
            bundle = PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults());
        } catch (PolicyException refused) {
            // fixAW: PolicyException (checked) is how the loader refuses a file; the reproducer caught RuntimeException only.
            assertThat(refused).hasMessageContaining("p.yaml:5").hasMessageContaining("second YAML document");
            return;
        }
        assertThat(bundle.policy("q")).as("policy q, the file's second document").isPresent();
    }

    @Test
    void aTestCaseInASecondDocumentIsRunOrTheFileRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: no-shell, condition: {tool: shell}, action: deny}
                """);
        Files.writeString(dir.resolve("p.tests.yaml"), """
                tests:
                  - {name: shell denied, policy: p, call: {tool: shell}, expect: {action: deny}}
                ---
                tests:
                  - {name: delete denied, policy: p, call: {tool: delete_file}, expect: {action: deny}}
                """);
        List<PolicyTestResult> results;
        try {
            results = PolicyTestRunner.run(PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults()), dir);
        } catch (PolicyException refused) {
            // fixAW: as above, the runner refuses with a PolicyException naming the file and the second document's line.
            assertThat(refused).hasMessageContaining("p.tests.yaml:3").hasMessageContaining("second YAML document");
            return;
        }
        // The second case fails against p (delete_file is allowed): verify must say so, not pass on the first case alone.
        assertThat(results).as("every case of the file is run").hasSize(2);
    }

    @Test
    void aLaterDocumentsValueNeverReplacesTheFirstDocuments() throws Exception {
        String text = "rules:\n  - {name: r, condition: {arg: {path: /mode, in: [allowed]}}}\n---\nrules:\n  - {name: r, condition: {arg: {path: /mode, in: [010]}}}\n";
        try {
            assertThat(LocatedYaml.parse(text, true).root().at("/rules/0/condition/arg/in/0").asText()).isEqualTo("allowed");
        } catch (YamlSyntaxException refused) {
            // refusing a file of several documents is a fix too
            assertThat(refused.line()).isEqualTo(3);
        }
    }
}
