package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.check.CheckRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review CC: AGT's {@code priority: int} is a Python int (no range) read by pydantic's lax mode, so
 * {@code 10000000000}, {@code 2147483648} and the string {@code "1_0"} (Python's {@code int()} takes underscores) load,
 * and the higher priority runs first (checked with AGT v5.0.0's PolicyEvaluator: rule {@code hi} denies). Tollgate
 * refuses the document with "priority is an integer (higher runs first), got '10000000000'", which it is.
 */
class AgtPriorityRangeReviewCCTest {

    private static final String DOC = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: lo\n    condition: {field: tool_name, operator: eq, value: x}\n    action: allow\n    priority: 5\n"
            + "  - name: hi\n    condition: {field: tool_name, operator: eq, value: x}\n    action: deny\n    priority: %s\n";

    @ParameterizedTest
    @ValueSource(strings = {"10000000000", "2147483648", "\"1_0\""})
    void aPriorityPythonReadsAsAnIntegerOrdersAsInAgt(String priority) throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(String.format(DOC, priority), "agt.yaml", CheckRegistry.withDefaults());
        Decision d = policy.evaluate(toolCall("x", "{}"));
        assertThat(d.action()).isEqualTo(Action.DENY);
        assertThat(d.ruleName()).isEqualTo("hi");
    }
}
