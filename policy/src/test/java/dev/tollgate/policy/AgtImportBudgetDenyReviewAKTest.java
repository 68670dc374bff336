package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.agt.AgtImporter;
import dev.tollgate.policy.agt.ImportResult;
import dev.tollgate.policy.agt.NativeDocumentWriter;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Review AK: {@code tollgate import-agt} leaves out a DENY rule with a budget {@code dynamic_condition}
 * ({@code token_count_per_window}) and still writes the native document, which then allows the calls AGT denies. The
 * loader refuses the same document (fail closed); the importer's output does not.
 *
 * <p>Ground truth, AGT 5.0.0 itself ({@code PolicyEvaluator(policies=[doc]).evaluate(ctx, dynamic_context={"timestamp":
 * "2026-07-27T15:00:00Z"})}, as generate.py passes it; with no budget amount, 0 <= limit, the budget condition holds):
 * <pre>
 * {'tool_name': 'call_llm'} -> allowed=False action=deny rule=cap-llm-spend
 * {'tool_name': 'other'}    -> allowed=True action=allow rule=None
 * </pre>
 */
class AgtImportBudgetDenyReviewAKTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOC = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: cap-llm-spend\n"
            + "    condition: {field: tool_name, operator: eq, value: call_llm}\n"
            + "    action: deny\n"
            + "    dynamic_condition: {type: token_count_per_window, window: 1h, limit: 1000}\n";

    private static Decision call(CompiledPolicy policy, String tool) throws Exception {
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", tool, JSON.readTree("{}")),
                Identity.ANONYMOUS, Instant.parse("2026-07-27T15:00:00Z"), new AssumedFacts(0, 0, false)));
    }

    @Test
    void theImportedDocumentAllowsTheCallAgtsBudgetWindowedDenyRuleDenies() throws Exception {
        ImportResult result = AgtImporter.convert(PolicyLoader.readDocument(DOC));
        String text = NativeDocumentWriter.write(result, "agt.yaml");
        Decision d = call(PolicyLoader.parse(text, "native.yaml", CheckRegistry.withDefaults()), "call_llm");
        assertThat(d.action()).as("AGT 5.0.0 denies call_llm (rule cap-llm-spend); the native document import-agt writes"
                + " (and the CLI writes to disk after checking it loads) gives %s:\n%s", d.action(), text).isEqualTo(Action.DENY);
    }

    @Test
    void control_otherToolsAreAllowedAsInAgt() throws Exception {
        String text = NativeDocumentWriter.write(AgtImporter.convert(PolicyLoader.readDocument(DOC)), "agt.yaml");
        assertThat(call(PolicyLoader.parse(text, "native.yaml", CheckRegistry.withDefaults()), "other").action()).isEqualTo(Action.ALLOW);
    }
}
