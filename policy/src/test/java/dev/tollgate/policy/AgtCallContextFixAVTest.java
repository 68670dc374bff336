package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.ACME;
import static dev.tollgate.policy.PolicyFixtures.MONDAY_10_UTC;
import static dev.tollgate.policy.PolicyFixtures.json;
import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.agt.AgtImporter;
import dev.tollgate.policy.agt.ImportResult;
import dev.tollgate.policy.agt.NativeDocumentWriter;
import dev.tollgate.policy.agt.RuleImport;
import dev.tollgate.policy.check.CheckRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import dev.tollgate.policy.condition.AgtCondition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix AV: the AGT context fields AGT's hosts fill that the gateway now fills from its own facts. {@code tool_call_count}
 * is the gateway's count of the run's earlier tool calls ({@link CallFacts#toolCallCount}; counted through a real
 * gateway in AgtToolCallCountFixAVTest), never a claim or an argument; an A2A send's {@code action_type} is
 * {@code invoke_agent}, as AGT's Bedrock host says for invoking an agent.
 */
class AgtCallContextFixAVTest {

    /** AGT's templates' circuit breaker (general-saas.yaml: asi08-session-tool-call-limit), at 5. */
    private static final String CAP = """
            version: "1.0"
            name: cap
            defaults: {action: allow}
            rules:
              - name: session-tool-call-limit
                condition: {field: tool_call_count, operator: gt, value: 5}
                action: deny
            """;

    private static final String DENY_AGENT_INVOCATIONS = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: no-delegation\n    condition: {field: action_type, operator: eq, value: invoke_agent}\n    action: deny\n";

    private static CompiledPolicy load(String yaml) throws PolicyException {
        return PolicyLoader.parse(yaml, "agt.yaml", CheckRegistry.withDefaults());
    }

    private static PolicyRequest withCount(PolicyRequest call, long count) {
        return new PolicyRequest(call.call(), call.identity(), call.time(), new AssumedFacts(0, 0, false, count));
    }

    /** The Nth call sees N-1: with a cap of 5 the sixth call (count 5) runs and the seventh (count 6) is denied. */
    @Test
    void theCountIsTheGatewaysFact() throws Exception {
        CompiledPolicy policy = load(CAP);
        assertThat(policy.evaluate(withCount(toolCall("search", "{}"), 5)).action()).isEqualTo(Action.ALLOW);
        Decision seventh = policy.evaluate(withCount(toolCall("search", "{}"), 6));
        assertThat(seventh.action()).isEqualTo(Action.DENY);
        assertThat(seventh.ruleName()).isEqualTo("session-tool-call-limit");
        assertThat(seventh.failure()).isEqualTo(Decision.Failure.NONE);
    }

    /** Neither an argument nor a claim of that name stands in for the count, either way. */
    @Test
    void theCallerCannotSupplyTheCount() throws Exception {
        CompiledPolicy policy = load(CAP);
        assertThat(policy.evaluate(withCount(toolCall("search", "{\"tool_call_count\": 0}"), 6)).action()).isEqualTo(Action.DENY);
        assertThat(policy.evaluate(withCount(toolCall("search", "{\"tool_call_count\": 99}"), 0)).action()).isEqualTo(Action.ALLOW);
        Identity claimed = new Identity(ACME.spiffeId(), "acme", "planner", "run-1", "user-7", "run-0", "tree-9", List.of(),
                Map.of("tool_call_count", 0));
        assertThat(policy.evaluate(withCount(toolCall("search", "{}", claimed), 6)).action()).isEqualTo(Action.DENY);
        assertThat(policy.claimsRead()).doesNotContain("tool_call_count");
        assertThat(policy.argumentsRead()).doesNotContain("/tool_call_count");
    }

    /** Where no count is at hand (explain, replay) the rule cannot be evaluated: it denies, fail closed. */
    @Test
    void withoutTheGatewaysCountTheRuleDeniesFailClosed() throws Exception {
        Decision decision = load(CAP).evaluate(new PolicyRequest(toolCall("search", "{}").call(), ACME, MONDAY_10_UTC, CallFacts.NONE));
        assertThat(decision.action()).isEqualTo(Action.DENY);
        assertThat(decision.ruleName()).isEqualTo("session-tool-call-limit");
        assertThat(decision.failure()).isEqualTo(Decision.Failure.CONDITION_ERROR);
    }

    /**
     * What a server sends (a sampling request, a result) is no call of the run and no AGT host evaluates it: the count is
     * absent there, as action_type is, so a cap does not refuse the server's requests for want of a count.
     */
    @Test
    void theCountIsAbsentFromWhatAServerSends() throws Exception {
        CompiledPolicy policy = load(CAP);
        PolicyRequest sampling = new PolicyRequest(CallDescription.mcpServerRequest("r", "sampling/createMessage", json("{}")), ACME,
                MONDAY_10_UTC, CallFacts.NONE);
        assertThat(policy.evaluate(sampling).action()).isEqualTo(Action.ALLOW);
        CompiledPolicy notCounted = load(CAP.replace("operator: gt, value: 5", "operator: gte, value: 0"));
        assertThat(notCounted.evaluate(sampling).action()).as("no operator matches an absent field").isEqualTo(Action.ALLOW);
    }

    /** explain has no run: the count is taken as a first call's, and it says so (rather than a fail-closed deny). */
    @Test
    void explainTakesAFirstCallAndSaysSo() throws Exception {
        UnreadUsage unread = new UnreadUsage();
        Decision decision = load(CAP).evaluate(new PolicyRequest(toolCall("search", "{}").call(), ACME, MONDAY_10_UTC, unread));
        assertThat(decision.action()).isEqualTo(Action.ALLOW);
        assertThat(unread.toolCallCountRead()).isTrue();
    }

    /**
     * The count is known only when the call is made: tools/list does not hide a tool an allow rule on the count may let
     * through (read as absent there, the rule was false and the deny default hid every tool).
     */
    @Test
    void anAllowOnTheCountHidesNoTool() throws Exception {
        CompiledPolicy policy = load("""
                version: "1.0"
                name: allow-under-cap
                defaults: {action: deny}
                rules:
                  - name: under-the-cap
                    condition: {field: tool_call_count, operator: lt, value: 50}
                    action: allow
                """);
        assertThat(policy.mayEverCall("search", ACME)).isTrue();
        assertThat(load(CAP).mayEverCall("search", ACME)).isTrue();
    }

    /** Loading no longer warns that the caller chooses tool_call_count (fix AR's warning); it still does for confidence. */
    @Test
    void loadingNoLongerSaysTheCallerChoosesTheCount() throws Exception {
        CompiledPolicy policy = load(CAP + "  - name: low-confidence\n    condition: {field: confidence, operator: lt, value: 0.9}\n"
                + "    action: deny\n");
        List<String> hostFacts = policy.warnings().stream().map(PolicyProblem::message).filter(m -> m.contains("AGT's host supplies")).toList();
        assertThat(hostFacts).hasSize(1);
        assertThat(hostFacts.get(0)).contains("field 'confidence'").doesNotContain("tool_call_count");
        assertThat(AgtImporter.convert(PolicyLoader.readDocument(CAP)).notes()).noneMatch(n -> n.contains("AGT's host supplies"));
    }

    /** import-agt cannot write the count in a native rule: the rule is left out, saying why and what to use. */
    @Test
    void importLeavesACountRuleOutSayingWhy() throws Exception {
        ImportResult result = AgtImporter.convert(PolicyLoader.readDocument(CAP));
        assertThat(result.rules()).hasSize(1);
        assertThat(((RuleImport.NotConverted) result.rules().get(0)).reason())
                .contains("tool_call_count", "defaults.max_tool_calls");
    }

    /** An A2A send invokes another agent: AGT's invoke_agent; an MCP tool call is not one, nor is a task read. */
    @Test
    void anA2aSendIsAnAgentInvocation() throws Exception {
        CompiledPolicy policy = load(DENY_AGENT_INVOCATIONS);
        for (String method : List.of("SendMessage", "SendStreamingMessage")) {
            assertThat(policy.evaluate(new PolicyRequest(CallDescription.a2a("r", method, "summarise", json("{}")), ACME, MONDAY_10_UTC))
                    .action()).as(method).isEqualTo(Action.DENY);
        }
        assertThat(policy.evaluate(toolCall("search", "{}")).action()).isEqualTo(Action.ALLOW);
        assertThat(policy.evaluate(new PolicyRequest(CallDescription.a2a("r", "GetTask", null, json("{}")), ACME, MONDAY_10_UTC))
                .action()).isEqualTo(Action.ALLOW);
        // Both kinds at once, as README says to write a rule meant for every call.
        CompiledPolicy both = load(DENY_AGENT_INVOCATIONS.replace("operator: eq, value: invoke_agent", "operator: in, value: [tool_call, invoke_agent]"));
        assertThat(both.evaluate(toolCall("search", "{}")).action()).isEqualTo(Action.DENY);
        assertThat(both.evaluate(new PolicyRequest(CallDescription.a2a("r", "SendMessage", "x", json("{}")), ACME, MONDAY_10_UTC))
                .action()).isEqualTo(Action.DENY);
    }

    /** import-agt writes invoke_agent as the A2A send methods; the native document decides as the AGT one. */
    @Test
    void importedInvokeAgentIsTheA2aSends() throws Exception {
        ImportResult result = AgtImporter.convert(PolicyLoader.readDocument(DENY_AGENT_INVOCATIONS));
        assertThat(result.document().get("rules").get(0).get("condition").toString())
                .isEqualTo("{\"method\":[\"SendMessage\",\"SendStreamingMessage\"]}");
        CompiledPolicy converted = load(NativeDocumentWriter.write(result, "agt.yaml"));
        assertThat(converted.evaluate(new PolicyRequest(CallDescription.a2a("r", "SendMessage", "x", json("{}")), ACME, MONDAY_10_UTC))
                .action()).isEqualTo(Action.DENY);
        assertThat(converted.evaluate(toolCall("search", "{\"action_type\": \"invoke_agent\"}")).action()).isEqualTo(Action.ALLOW);
    }

    /** Policy test cases state the count they assume as a fact. */
    @Test
    void testCasesStateTheCount(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cap.yaml"), CAP);
        Files.writeString(dir.resolve("cap.tests.yaml"), """
                tests:
                  - name: the seventh call
                    policy: cap
                    call: {tool: search, arguments: {tool_call_count: 0}}
                    facts: {tool_call_count: 6}
                    expect: {action: deny, rule: session-tool-call-limit}
                  - name: a first call
                    policy: cap
                    call: {tool: search, arguments: {tool_call_count: 99}}
                    facts: {}
                    expect: {action: allow, rule: default}
                """);
        List<PolicyTestResult> results = PolicyTestRunner.run(PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults()), dir);
        assertThat(results).extracting(PolicyTestResult::passed).containsExactly(true, true);
    }

    @Test
    void onlyAPolicyWithARuleReadingTheCountHasTheGatewayCountRuns() throws Exception {
        String reads = """
                version: "1.0"
                name: capped
                rules:
                  - name: cap
                    condition: {field: tool_call_count, operator: gt, value: 5}
                    action: deny
                """;
        String readsNot = """
                version: "1.0"
                name: plain
                rules:
                  - name: no-wipe
                    condition: {field: tool_name, operator: eq, value: wipe}
                    action: deny
                """;
        assertThat(PolicyLoader.parse(reads, "agt.yaml", CheckRegistry.withDefaults()).usesCheck(AgtCondition.TOOL_CALL_COUNT)).isTrue();
        assertThat(PolicyLoader.parse(readsNot, "agt.yaml", CheckRegistry.withDefaults()).usesCheck(AgtCondition.TOOL_CALL_COUNT)).isFalse();
    }
}
