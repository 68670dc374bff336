package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import org.junit.jupiter.api.Test;

/**
 * fixAW (review CD): a {@code matches} reads a padded string trimmed too, and denies only where the two readings decide
 * otherwise (an unanchored search over a text with a trailing newline is decided as before); an AGT document, like a
 * native one, is refused when its file holds a second YAML document.
 */
class PaddedMatchesAndOneDocumentTest {

    private static CompiledPolicy denyWhen(String test) {
        return PolicyFixtures.rules("allow", """
                  - name: r
                    condition:
                      all:
                        - tool: t
                        - arg: {path: /v, %s}
                    action: deny
                """.formatted(test));
    }

    @Test
    void anUnanchoredSearchOverAPaddedTextDecidesAsBefore() {
        CompiledPolicy policy = denyWhen("matches: \"rm\\\\s+-rf\"");
        assertThat(policy.evaluate(toolCall("t", "{\"v\": \"ls -la\\n\"}")).isDenied()).isFalse();
        assertThat(policy.evaluate(toolCall("t", "{\"v\": \"rm -rf /\\n\"}")).isDenied()).isTrue();
    }

    @Test
    void anAllowByAnchoredMatchesHoldsInTheTrimmedReadingToo() {
        // An allow rule that holds on the padded text only (the regex names the padding) does not allow it: a trimming
        // reader sees "DESTROY", which the rule would not allow.
        CompiledPolicy policy = PolicyFixtures.policy("""
                name: p
                defaults: {action: deny}
                rules:
                  - {name: only-padded, condition: {all: [{tool: t}, {arg: {path: /v, matches: "^\\\\sDESTROY$"}}]}, action: allow}
                """);
        assertThat(policy.evaluate(toolCall("t", "{\"v\": \" DESTROY\"}")).isDenied()).isTrue();
    }

    @Test
    void anAgtDocumentWithASecondDocumentIsRefusedNamingItsLine() {
        String text = """
                version: "1.0"
                name: agt-two
                defaults: {action: allow}
                rules:
                  - {name: a, condition: {field: action, operator: eq, value: x}, action: deny}
                ---
                version: "1.0"
                name: agt-three
                """;
        assertThatThrownBy(() -> PolicyLoader.parse(text, "agt.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("agt.yaml:6")
                .hasMessageContaining("second YAML document");
    }
}
