package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Review BT: a result is described with the call it answers ({@link CallDescription#mcpResult}), so result rules scoped
 * by {@code resource:}, {@code prompt:} or {@code method:} hold on its answer, as the policy test runner shows them.
 */
class ResultScopedByCallTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: q3-cards
                condition: {all: [{direction: result}, {resource: "file:///reports/q3"}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: redact
              - name: prompt-cards
                condition: {all: [{direction: result}, {prompt: greet}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: deny
              - name: reads-cards
                condition: {all: [{direction: result}, {method: resources/read}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: audit
              - name: tools-cards
                condition: {all: [{direction: result}, {method: tools/call}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: audit
            """;

    private static JsonNode card() throws Exception {
        return JSON.readTree("{\"contents\":[{\"uri\":\"file:///reports/q3\",\"text\":\"card 4111 1111 1111 1111\"}]}");
    }

    private static java.util.List<String> rules(CompiledPolicy policy, CallDescription result) {
        return policy.evaluateResultAll(new PolicyRequest(result, Identity.ANONYMOUS, Instant.now())).stream()
                .map(Decision::ruleName).toList();
    }

    @Test
    void aResourceReadsContentsAreReadWithItsMethodAndUri() throws Exception {
        CompiledPolicy policy = PolicyFixtures.policy(POLICY);
        CallDescription read = CallDescription.mcpResult(CallDescription.mcpResourceRead("r", "file:///reports/q3"), card());
        assertThat(read.method()).isEqualTo("resources/read");
        assertThat(read.resourceUri()).isEqualTo("file:///reports/q3");
        assertThat(read.direction()).isEqualTo(CallDescription.RESULT);
        assertThat(rules(policy, read)).containsExactly("q3-cards", "reads-cards");
        assertThat(rules(policy, CallDescription.mcpResult(CallDescription.mcpResourceRead("r", "file:///reports/public"), card())))
                .containsExactly("reads-cards");
        // The test runner's call describes the same result: the two agree.
        CallDescription described = PolicyTestRunner.call(JSON.readTree(
                "{\"method\":\"resources/read\",\"resource\":\"file:///reports/q3\",\"direction\":\"result\",\"arguments\":" + card() + "}"));
        assertThat(rules(policy, described)).isEqualTo(rules(policy, read));
    }

    @Test
    void aPromptsMessagesAreReadWithItsNameAndAToolsResultWithToolsCall() throws Exception {
        CompiledPolicy policy = PolicyFixtures.policy(POLICY);
        CallDescription prompt = CallDescription.mcpResult(CallDescription.mcpPromptGet("r", "greet", null), card());
        assertThat(prompt.method()).isEqualTo("prompts/get");
        assertThat(rules(policy, prompt)).containsExactly("prompt-cards");
        assertThat(rules(policy, CallDescription.mcpResult(CallDescription.mcpToolCall("r", "echo", null), card())))
                .containsExactly("tools-cards");
        assertThat(rules(policy, CallDescription.mcpToolResult("r", "echo", card()))).containsExactly("tools-cards");
        CallDescription listed = CallDescription.mcpResult("r", "resources/list", null, "file:///reports/q3", null, card());
        assertThat(rules(policy, listed)).containsExactly("q3-cards");
    }
}
