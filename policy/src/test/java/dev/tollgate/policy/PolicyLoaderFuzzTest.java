package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.policy.check.CheckRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Policy documents (native and AGT, through the one public entry {@link PolicyLoader#parse}) as arbitrary
 * text: a compiled policy or a {@link PolicyException} listing problems that each name the file, a line and
 * a message; never another exception, and never slow: {@code .ci/fuzz} gives every input 10 s (libFuzzer's
 * {@code -timeout}; a JUnit {@code @Timeout} would bound the whole fuzzing run instead), so a document that takes
 * seconds to load or to evaluate is a finding. A policy that loads decides sample calls
 * without throwing, as {@link CompiledPolicy#evaluate} promises. Input: the YAML as UTF-8.
 * Seeds: {@code PolicyLoaderFuzzTestInputs/loadsOrNamesTheProblems/}.
 */
class PolicyLoaderFuzzTest {

    private static final String FILE = "fuzz.yaml";
    private static final CheckRegistry CHECKS = CheckRegistry.withDefaults();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final Identity CALLER = new Identity("spiffe://acme/agent", "acme", "planner", "run-1", "user-7", null, "tree-1",
            List.of("read", "write"), Map.of("tenant", "acme", "capabilities", List.of("read")));
    private static final List<CallDescription> CALLS = List.of(
            CallDescription.mcpToolCall("r", "shell_exec", F.objectNode().put("cmd", "rm -rf /").put("n", 3)),
            CallDescription.mcpToolCall("r", "echo", F.objectNode().put("message", "x".repeat(300))),
            CallDescription.mcpResourceRead("r", "file:///etc/passwd"),
            CallDescription.mcpServerRequest("r", "sampling/createMessage", F.objectNode().put("maxTokens", 5)));

    @FuzzTest
    void loadsOrNamesTheProblems(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        CompiledPolicy policy;
        try {
            policy = PolicyLoader.parse(yaml, FILE, CHECKS);
        } catch (PolicyException e) {
            assertThat(e.problems()).isNotEmpty();
            for (PolicyProblem problem : e.problems()) {
                assertThat(problem.file()).isEqualTo(FILE);
                assertThat(problem.line()).isNotNegative();
                assertThat(problem.message()).isNotBlank();
            }
            return;
        }
        assertThat(policy.name()).isNotBlank();
        for (CallDescription call : CALLS) {
            for (Identity identity : List.of(Identity.ANONYMOUS, CALLER)) {
                assertThat(policy.evaluate(new PolicyRequest(call, identity, NOW))).isNotNull();
            }
            policy.mayEverCall(call, CALLER);
        }
    }
}
