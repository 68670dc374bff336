package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import org.junit.jupiter.api.Test;

/**
 * Review CC: AGT 5.0.0 documents whose rules say nothing AGT-only (no rule at all, or only the integration guides'
 * {@code condition: {tool: X}}) and that have no AGT-only top-level key are read as native documents, so what AGT's
 * {@code defaults} holds ({@code action: block}, {@code max_tool_calls}, {@code max_tokens}, an empty mapping) is refused
 * with the native format's message, although AGT's schema ({@code PolicyDefaults}) loads each of them with a clear
 * meaning. Checked with AGT v5.0.0's own {@code PolicyDocument.model_validate} and {@code PolicyEvaluator}.
 */
class AgtDocumentShapeReviewCCTest {

    private static CompiledPolicy load(String yaml) throws PolicyException {
        return PolicyLoader.parse(yaml, "agt.yaml", CheckRegistry.withDefaults());
    }

    /** AGT: loads; no rule matches, defaults.action block: every call denied. Tollgate: "got 'block'" (native actions). */
    @Test
    void aDenyEverythingBaselineWithBlockLoads() throws Exception {
        CompiledPolicy policy = load("version: \"1.0\"\nname: baseline\ndefaults: {action: block}\nrules: []\n");
        assertThat(policy.evaluate(toolCall("anything", "{}")).action()).isEqualTo(Action.DENY);
    }

    /**
     * AGT: loads; the host caps the run at 0 tool calls (README: enforced as the rule defaults.max_tool_calls). Tollgate:
     * "defaults.max_tool_calls: unknown field (expected one of action, message)", a native document's message.
     */
    @Test
    void aToolCallCapWithoutRulesLoadsAndIsEnforced() throws Exception {
        CompiledPolicy policy = load("version: \"1.0\"\nname: cap\ndefaults: {action: allow, max_tool_calls: 0}\nrules: []\n");
        assertThat(policy.evaluate(toolCall("anything", "{}")).action()).isEqualTo(Action.DENY);
    }

    /**
     * The same with the integration guides' rule form ({@code condition: {tool: X}}, which Tollgate loads as AGT's although
     * AGT 5.0.0's schema does not): still read as native, the cap refused as an unknown field.
     */
    @Test
    void aToolCallCapBesideToolRulesLoadsAndIsEnforced() throws Exception {
        CompiledPolicy policy = load("name: cap\ndefaults: {action: allow, max_tool_calls: 0}\nrules:\n"
                + "  - name: r\n    condition: {tool: other}\n    action: deny\n");
        assertThat(policy.evaluate(toolCall("anything", "{}")).action()).isEqualTo(Action.DENY);
    }

    /** AGT: {@code defaults: {}} is PolicyDefaults() whose action is DENY. Tollgate: "action is required". */
    @Test
    void emptyDefaultsDenyAsInAgt() throws Exception {
        CompiledPolicy policy = load("version: \"1.0\"\nname: p\ndefaults: {}\nrules: []\n");
        assertThat(policy.evaluate(toolCall("y", "{}")).action()).isEqualTo(Action.DENY);
    }

    /** AGT: an LLM setting in defaults, loaded (the gateway warns and ignores it for AGT documents). Tollgate: refused. */
    @Test
    void anLlmDefaultLoadsWithAWarning() throws Exception {
        CompiledPolicy policy = load("version: \"1.0\"\nname: p\ndefaults: {action: allow, max_tokens: 100}\nrules: []\n");
        assertThat(policy.evaluate(toolCall("x", "{}")).action()).isEqualTo(Action.ALLOW);
        assertThat(policy.warnings()).anySatisfy(w -> assertThat(w.field()).contains("max_tokens"));
    }

    /** Low: AGT's schema refuses {@code priority: null} (int, not Optional); Tollgate loads the rule at priority 0. */
    @Test
    void aNullPriorityIsRefusedAsByAgt() {
        assertThatThrownBy(() -> load("name: p\ndefaults: {action: allow}\nrules:\n"
                + "  - name: r\n    condition: {field: tool_name, operator: eq, value: x}\n    action: deny\n    priority: null\n"))
                .isInstanceOf(PolicyException.class).hasMessageContaining("priority");
    }

    /**
     * Review CC (low) asked for PyYAML's reading: safe_load keeps the last of two equal keys, so AGT loads this rule as a
     * deny. Decided otherwise (fix AR, policy/README): the document is refused, as the gateway refuses duplicate keys
     * everywhere, since a reviewer reading the file sees the first value while AGT acts on the last; refusing cannot make
     * a rule weaker than AGT's, and the message names the key.
     */
    @Test
    void aRepeatedKeyIsRefusedRatherThanReadAsEitherValue() {
        assertThatThrownBy(() -> load("name: p\ndefaults: {action: allow}\nrules:\n"
                + "  - name: r\n    condition: {field: tool_name, operator: eq, value: x}\n    action: allow\n    action: deny\n"))
                .isInstanceOf(PolicyException.class).hasMessageContaining("action");
    }
}
