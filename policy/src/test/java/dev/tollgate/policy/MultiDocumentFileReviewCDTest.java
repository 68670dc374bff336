package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.check.CheckRegistry;
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
 * single document"). Either reading every document or refusing the file, naming its line, would do.
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
        } catch (RuntimeException refused) {
            assertThat(refused).hasMessageContaining("p.yaml");
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
        } catch (RuntimeException refused) {
            assertThat(refused).hasMessageContaining("p.tests.yaml");
            return;
        }
        // The second case fails against p (delete_file is allowed): verify must say so, not pass on the first case alone.
        assertThat(results).as("every case of the file is run").hasSize(2);
    }
}
