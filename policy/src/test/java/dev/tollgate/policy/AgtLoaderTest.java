package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where AGT 4.1.0 loads a mistake and fails open at run time, Tollgate refuses the document, naming file and line. */
class AgtLoaderTest {

    private static final String HEAD = "name: p\ndefaults: {action: deny}\nrules:\n  - name: r\n";

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("misspelt action", HEAD + "    condition: {field: tool_name, operator: eq, value: x}\n    action: dney\n", 6,
                        "rules[0].action", "action is allow, deny, audit or block (AGT 5.0.0; require_approval, from AGT's .NET SDK, is read as approve), got 'dney'"),
                Arguments.of("regex that does not compile", HEAD + "    condition: {field: q, operator: matches, value: \"(\"}\n    action: deny\n", 5,
                        "rules[0].condition.value", "invalid regular expression"),
                Arguments.of("empty ways a backtracking engine could try without reading", HEAD
                        + "    condition: {field: q, operator: matches, value: \"a(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?:|)(?=x)\"}\n"
                        + "    action: deny\n", 5, "rules[0].condition.value", "cannot run in bounded time: it can match the empty string in 2048 ways"),
                Arguments.of("unknown operator", HEAD + "    condition: {field: q, operator: startswith, value: a}\n    action: deny\n", 5,
                        "rules[0].condition.operator", "unknown operator 'startswith'"),
                Arguments.of("in without a list", HEAD + "    condition: {field: q, operator: in, value: 3}\n    action: deny\n", 5,
                        "rules[0].condition.value", "in needs a list"),
                Arguments.of("gt on a list", HEAD + "    condition: {field: q, operator: gt, value: [1]}\n    action: deny\n", 5,
                        "rules[0].condition.value", "gt needs a number"),
                Arguments.of("misspelt condition key", HEAD + "    condition: {field: q, operator: eq, value: a, vlaue: b}\n    action: deny\n", 5,
                        "rules[0].condition.vlaue", "unknown condition field"),
                Arguments.of("priority not an integer", HEAD + "    condition: {field: q, operator: eq, value: a}\n    action: deny\n    priority: high\n", 7,
                        "rules[0].priority", "priority is an integer"),
                // AGT's schema refuses these too (its str fields take no numbers, its actions are lower case).
                Arguments.of("version as a number", "version: 1.0\n" + HEAD + "    condition: {field: q, operator: eq, value: a}\n"
                        + "    action: deny\n", 1, "version", "version is a string in AGT 4.1.0"),
                Arguments.of("rule name as a number", "name: p\nrules:\n  - name: 42\n    condition: {field: q, operator: eq, value: a}\n"
                        + "    action: deny\n", 3, "rules[0].name", "name is a string in AGT 4.1.0"),
                Arguments.of("action in capitals", HEAD + "    condition: {field: q, operator: eq, value: a}\n    action: DENY\n", 6,
                        "rules[0].action", "got 'DENY'"),
                Arguments.of("no name (AGT would call it 'unnamed')", "defaults: {action: deny}\nrules:\n  - name: r\n"
                        + "    condition: {field: q, operator: eq, value: a}\n    action: deny\n", 1, "name", "name is required"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWhatAgtWouldLoadOrFailOpenOn(String label, String yaml, int line, String field, String message) {
        assertThatThrownBy(() -> PolicyLoader.parse(yaml, "agt.yaml", CheckRegistry.withDefaults()))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems()).anySatisfy(p -> {
                    assertThat(p.file()).isEqualTo("agt.yaml");
                    assertThat(p.line()).isEqualTo(line);
                    assertThat(p.field()).isEqualTo(field);
                    assertThat(p.message()).contains(message);
                }));
    }

    @Test
    void blockInANativeDocumentIsStillAMistake() {
        String yaml = HEAD + "    condition: {tool: x}\n    action: block\n";
        assertThatThrownBy(() -> PolicyLoader.parse(yaml, "native.yaml", CheckRegistry.withDefaults()))
                .hasMessageContaining("action is allow, deny, audit, approve or redact");
    }

    @Test
    void indexesRulesByToolNameLikeNativeOnes() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(HEAD + "    condition: {field: tool_name, operator: in, value: [a, b]}\n    action: deny\n",
                "agt.yaml", CheckRegistry.withDefaults());
        assertThat(policy.rules().get(0).condition().requiredToolNames()).containsExactlyInAnyOrder("a", "b");
        // tools/list: a deny on the tool name alone hides it; a tool no rule names falls to the default (deny).
        assertThat(policy.mayEverCall("a", Identity.ANONYMOUS)).isFalse();
    }
}
