package dev.tollgate.policy.agt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.AssumedFacts;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Review U, finding 1 (HIGH, bypass): YAML aliases and merge keys in an AGT document are silently mis-read.
 *
 * <p><b>AGT 4.1.0.</b> {@code PolicyDocument.from_yaml} reads the file with {@code yaml.safe_load}
 * (agent-governance-python/agent-os/src/agent_os/policies/schema.py line 150, tag v4.1.0, commit 0de71ca6c9), which
 * resolves an alias {@code *name} to the node its anchor {@code &name} marks, and a merge key {@code <<: *name}
 * to that mapping's entries (YAML 1.1 merge). The evaluator then compares the real list
 * (evaluator.py line 381, {@code ctx_value in target}) and orders rules by the merged priority (evaluator.py line 212).
 *
 * <p><b>Tollgate.</b> {@code LocatedYaml} reads YAML through jackson-dataformat-yaml, whose parser reports an alias
 * as a string token holding the anchor's <i>name</i> ({@code *destructive} is the text {@code "destructive"}), and
 * which knows no merge key ({@code <<} is an ordinary key holding the text {@code "critical"}). So
 * {@code value: *destructive} becomes the string "destructive" and {@code in} on a string is a substring test:
 * {@code delete_file} is not "in" it, the deny rule never matches and the call is allowed. A merged
 * {@code priority} is lost (the {@code <<} key is only warned about as an unknown rule field): the rule runs at
 * priority 0, below an allow rule AGT runs after it. Both load without an error. Native documents and the gateway
 * configuration go through the same parser (an alias in a native {@code tool: *x} is the glob "x").
 *
 * <p><b>Fix.</b> Either resolve aliases and merge keys as PyYAML does (compose with SnakeYAML's {@code Yaml.compose},
 * which resolves aliases, and flatten {@code <<} as {@code SafeConstructor.flattenMapping} does, before building
 * the tree), or refuse them with the line: in {@code LocatedYaml.lines} the parser is a {@code YAMLParser}, and
 * {@code isCurrentAlias()} is true on an alias token; a field named {@code <<} is a merge key. Refusing is the
 * smaller change and fails closed.
 *
 * <p>Ground truth: AGT 4.1.0's evaluator.py and schema.py run under Python 3.11 / PyYAML 6.0.3 / pydantic 2.13
 * give the decisions asserted here.
 */
class YamlAliasAgtReviewUTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Decision decide(String yaml, String tool, String arguments) throws Exception {
        CompiledPolicy policy;
        try {
            policy = PolicyLoader.parse(yaml, "review-u.yaml", CheckRegistry.withDefaults());
        } catch (PolicyException refused) {
            // Refusing the document (fail closed: the route denies every call) would also fix the bypass.
            return null;
        }
        PolicyRequest request = new PolicyRequest(CallDescription.mcpToolCall("r", tool, JSON.readTree(arguments)),
                Identity.ANONYMOUS, NOW, new AssumedFacts(0, 0, false));
        return policy.evaluate(request);
    }

    /** AGT: requested_tool "delete_file" in [shell_exec, delete_file] -> deny (audit-destructive-args). */
    @Test
    void anAliasedListIsTheListNotTheAnchorName() throws Exception {
        String agt = """
                version: "1.0"
                name: alias-policy
                defaults: {action: allow}
                rules:
                  - name: block-destructive-tools
                    condition: {field: tool_name, operator: in, value: &destructive [shell_exec, delete_file]}
                    action: deny
                    priority: 100
                  - name: block-destructive-delegation
                    condition: {field: requested_tool, operator: in, value: *destructive}
                    action: deny
                    priority: 90
                """;

        Decision decision = decide(agt, "delegate", "{\"requested_tool\": \"delete_file\"}");

        // AGT 4.1.0 denies (rule block-destructive-delegation); Tollgate today allows (no rule matches).
        if (decision != null) {
            assertThat(decision.action()).isEqualTo(Action.DENY);
            assertThat(decision.ruleName()).isEqualTo("block-destructive-delegation");
        }
        // ...and a value that is a substring of the anchor's name is no member of the list: AGT allows.
        Decision substring = decide(agt, "delegate", "{\"requested_tool\": \"struct\"}");
        if (substring != null) {
            assertThat(substring.action()).isEqualTo(Action.ALLOW);
        }
    }

    /** AGT: the merged priority 100 puts block-key-paths before allow-file-reads (50) -> deny. */
    @Test
    void aMergeKeyCarriesThePriority() throws Exception {
        String agt = """
                version: "1.0"
                name: merge-policy
                defaults: {action: deny}
                x-critical: &critical
                  priority: 100
                  message: sensitive path
                rules:
                  - name: allow-file-reads
                    condition: {field: tool_name, operator: eq, value: read_file}
                    action: allow
                    priority: 50
                  - <<: *critical
                    name: block-key-paths
                    condition: {field: path, operator: contains, value: .ssh}
                    action: deny
                """;

        Decision decision = decide(agt, "read_file", "{\"path\": \"/home/u/.ssh/id_ed25519\"}");

        // AGT 4.1.0 denies (block-key-paths, priority 100); Tollgate today allows (allow-file-reads; the rule sits at 0).
        if (decision != null) {
            assertThat(decision.action()).isEqualTo(Action.DENY);
            assertThat(decision.ruleName()).isEqualTo("block-key-paths");
        }
    }
}
