package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.ACME;
import static dev.tollgate.policy.PolicyFixtures.MONDAY_10_UTC;
import static dev.tollgate.policy.PolicyFixtures.json;
import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.agt.AgtImportException;
import dev.tollgate.policy.agt.AgtImporter;
import dev.tollgate.policy.agt.ImportResult;
import dev.tollgate.policy.agt.NativeDocumentWriter;
import dev.tollgate.policy.agt.RuleImport;
import dev.tollgate.policy.check.CheckRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fix AR (review CC): what the loader and the importer make of AGT's {@code action_type}, host-supplied facts, AGT-only
 * defaults beside native rules, priorities beyond 32 bits and .NET-format documents, beyond CC's own reproducers.
 */
class AgtGatewayFactsFixARTest {

    private static final String DENY_TOOL_CALLS = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: no-tool-calls\n    condition: {field: action_type, operator: eq, value: tool_call}\n    action: deny\n";

    private static CompiledPolicy load(String yaml) throws PolicyException {
        return PolicyLoader.parse(yaml, "agt.yaml", CheckRegistry.withDefaults());
    }

    private static PolicyRequest request(CallDescription call, Identity identity) {
        return new PolicyRequest(call, identity, MONDAY_10_UTC);
    }

    /**
     * A tool call is a tool call; a read is none. (An A2A message send was one here too until fix AV, which made it
     * AGT's {@code invoke_agent}: AgtCallContextFixAVTest.)
     */
    @Test
    void actionTypeIsToolCallForToolCallsAndAbsentOtherwise() throws Exception {
        CompiledPolicy policy = load(DENY_TOOL_CALLS);
        assertThat(policy.evaluate(toolCall("search", "{}")).action()).isEqualTo(Action.DENY);
        assertThat(policy.evaluate(request(CallDescription.a2a("r", "SendMessage", "summarise", json("{}")), ACME)).action())
                .as("an A2A send is invoke_agent (fix AV)").isEqualTo(Action.ALLOW);
        assertThat(policy.evaluate(request(CallDescription.mcpResourceRead("r", "file:///x"), ACME)).action()).isEqualTo(Action.ALLOW);
        // Absent on other calls: AGT's absent field matches no operator, ne included.
        CompiledPolicy ne = load(DENY_TOOL_CALLS.replace("operator: eq", "operator: ne"));
        assertThat(ne.evaluate(request(CallDescription.mcpResourceRead("r", "file:///x"), ACME)).action()).isEqualTo(Action.ALLOW);
        assertThat(ne.evaluate(toolCall("search", "{}")).action()).isEqualTo(Action.ALLOW);
    }

    /** A claim named action_type does not stand in for the gateway's fact either. */
    @Test
    void aClaimCannotRenameTheKindOfTheCall() throws Exception {
        Identity claimed = new Identity(ACME.spiffeId(), "acme", "planner", "run-1", "user-7", "run-0", "tree-9", List.of(),
                Map.of("action_type", "model_call"));
        assertThat(load(DENY_TOOL_CALLS).evaluate(toolCall("search", "{}", claimed)).action()).isEqualTo(Action.DENY);
    }

    /** import-agt writes the gateway's fact as the tool-call methods; the native document decides as the AGT one. */
    @Test
    void importedActionTypeIsTheToolCallMethods() throws Exception {
        ImportResult result = AgtImporter.convert(PolicyLoader.readDocument(DENY_TOOL_CALLS));
        assertThat(result.rules()).containsExactly(new RuleImport.Converted("no-tool-calls", List.of()));
        assertThat(result.document().get("rules").get(0).get("condition").toString())
                .isEqualTo("{\"method\":[\"tools/call\"]}"); // A2A sends are invoke_agent (fix AV)
        CompiledPolicy converted = load(NativeDocumentWriter.write(result, "agt.yaml"));
        assertThat(converted.evaluate(toolCall("delete_file", "{\"action_type\": \"model_call\"}")).action()).isEqualTo(Action.DENY);
        assertThat(converted.evaluate(request(CallDescription.mcpResourceRead("r", "file:///x"), ACME)).action()).isEqualTo(Action.ALLOW);

        ImportResult ne = AgtImporter.convert(PolicyLoader.readDocument(DENY_TOOL_CALLS.replace("operator: eq", "operator: ne")));
        CompiledPolicy neConverted = load(NativeDocumentWriter.write(ne, "agt.yaml"));
        assertThat(neConverted.evaluate(toolCall("search", "{}")).action()).isEqualTo(Action.ALLOW);
        assertThat(neConverted.evaluate(request(CallDescription.mcpResourceRead("r", "file:///x"), ACME)).action()).isEqualTo(Action.ALLOW);
    }

    /** A field AGT's host supplies is named once, with every rule reading it, by the loader and by import-agt. */
    @Test
    void hostSuppliedFactsAreNamedOnceWithTheirRules() throws Exception {
        String doc = "name: p\ndefaults: {action: allow}\nrules:\n"
                + "  - name: low-confidence\n    condition: {field: confidence, operator: lt, value: 0.95}\n    action: deny\n"
                + "  - name: too-many-tokens\n    condition: {field: token_count, operator: gt, value: 1000}\n    action: deny\n"
                + "  - name: very-low-confidence\n    condition: {field: confidence, operator: lt, value: 0.5}\n    action: deny\n"
                + "  - name: by-tool\n    condition: {field: tool_name, operator: eq, value: x}\n    action: deny\n";
        CompiledPolicy policy = load(doc);
        List<String> facts = policy.warnings().stream().map(PolicyProblem::message).filter(m -> m.contains("AGT's host supplies")).toList();
        assertThat(facts).hasSize(2);
        assertThat(facts.get(0)).contains("field 'confidence' (rules low-confidence, very-low-confidence)", "the caller chooses");
        assertThat(facts.get(1)).contains("field 'token_count' (rule too-many-tokens)");
        ImportResult imported = AgtImporter.convert(PolicyLoader.readDocument(doc));
        assertThat(imported.notes()).anySatisfy(n -> assertThat(n).contains("field 'confidence' (rules low-confidence, very-low-confidence)"));
        // The conversion itself is exact: the native rule reads the same claim or argument.
        assertThat(imported.rules()).allSatisfy(r -> assertThat(((RuleImport.Converted) r).exact()).isTrue());
    }

    /** A default only AGT has beside native rules is a mixed document, named as such, not a native unknown field. */
    @Test
    void anAgtDefaultBesideNativeRulesIsAMixedDocument() {
        assertThatThrownBy(() -> load("name: p\ndefaults: {action: allow, max_tool_calls: 3}\nrules:\n"
                + "  - name: r\n    condition: {arg: {path: /path, matches: \"^/etc\"}}\n    action: deny\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("'defaults.max_tool_calls' is a default only AGT documents have, but the rules are native");
    }

    /** Beyond 32 bits every rule takes its rank: order and ties as AGT (a tie runs in file order), with a warning. */
    @Test
    void prioritiesBeyond32BitsKeepAgtsOrderAndTies() throws Exception {
        CompiledPolicy policy = load("name: p\ndefaults: {action: allow}\nrules:\n"
                + "  - name: low\n    condition: {field: tool_name, operator: eq, value: x}\n    action: allow\n    priority: 2147483647\n"
                + "  - name: tie-first\n    condition: {field: tool_name, operator: eq, value: x}\n    action: deny\n    priority: 10000000000\n"
                + "  - name: tie-second\n    condition: {field: tool_name, operator: eq, value: x}\n    action: allow\n    priority: \"10_000_000_000\"\n"
                + "  - name: negative\n    condition: {field: tool_name, operator: eq, value: y}\n    action: deny\n    priority: -99999999999\n");
        assertThat(policy.evaluate(toolCall("x", "{}")).ruleName()).isEqualTo("tie-first");
        assertThat(policy.evaluate(toolCall("y", "{}")).ruleName()).isEqualTo("negative");
        assertThat(policy.warnings()).filteredOn(w -> w.message().contains("beyond a 32-bit integer")).hasSize(3);
    }

    /** import-agt cannot write such a priority (a native priority is a Java int) and says what to do. */
    @Test
    void importRefusesAPriorityBeyondANativeOne() throws Exception {
        ImportResult result = AgtImporter.convert(PolicyLoader.readDocument("name: p\ndefaults: {action: allow}\nrules:\n"
                + "  - name: hi\n    condition: {field: tool_name, operator: eq, value: x}\n    action: deny\n    priority: 10000000000\n"));
        assertThat(((RuleImport.NotConverted) result.rules().get(0)).reason())
                .contains("beyond a native priority's range (-2147483648..2147483647)", "rescale");
    }

    @Test
    void importSaysADotnetDocumentIsAgtsDotnetFormat() {
        assertThatThrownBy(() -> AgtImporter.convert(PolicyLoader.readDocument("name: p\ndefault_action: deny\nrules:\n"
                + "  - name: r\n    condition: \"tool_name == 'x'\"\n    action: allow\n")))
                .isInstanceOf(AgtImportException.class).hasMessageContaining("default_action is the key of AGT's .NET SDK policies")
                .hasMessageContaining("only AGT's Python format");
    }

    /** Shadow mode is Tollgate's key: AGT enforces the same file, so loading says the two differ. */
    @Test
    void shadowModeInAnAgtDocumentIsNamed() throws Exception {
        CompiledPolicy policy = load(DENY_TOOL_CALLS.replace("name: p\n", "name: p\nmode: shadow\n"));
        assertThat(policy.warnings()).anySatisfy(w -> assertThat(w.message()).contains("mode shadow is Tollgate's key, which AGT ignores"));
        assertThat(load(DENY_TOOL_CALLS).warnings()).noneSatisfy(w -> assertThat(w.message()).contains("mode shadow"));
    }

    /** Python-format rules under a .NET header (AGT's openshell-governed sandbox-policy.yaml) load, as in AGT's Python. */
    @Test
    void pythonRulesUnderADotnetHeaderLoad() throws Exception {
        CompiledPolicy policy = load("apiVersion: governance.toolkit/v1\n" + DENY_TOOL_CALLS);
        assertThat(policy.evaluate(toolCall("x", "{}")).action()).isEqualTo(Action.DENY);
        assertThat(policy.warnings()).anySatisfy(w -> assertThat(w.field()).isEqualTo("apiVersion"));
    }

    /** A cap beyond 32 bits is a Python int too: it loads (as 2^31-1 calls, the same cap in practice) rather than "not an integer". */
    @Test
    void aToolCallCapBeyond32BitsLoads() throws Exception {
        CompiledPolicy policy = load("name: p\ndefaults: {action: allow, max_tool_calls: 10000000000}\nrules: []\n");
        assertThat(policy.rules()).extracting(CompiledRule::name).containsExactly("defaults.max_tool_calls");
        assertThat(AgtImporter.convert(PolicyLoader.readDocument("name: p\ndefaults: {action: allow, max_tool_calls: \"1_0\"}\nrules: []\n"))
                .document().get("rules").get(0).toString()).contains("\"burst\":10");
    }
}
