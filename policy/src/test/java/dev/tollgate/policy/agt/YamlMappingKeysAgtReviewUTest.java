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
 * Review U, finding 3 (LOW, compatibility: Tollgate denies what AGT allows): the keys of a mapping operand of
 * {@code in} / {@code not_in} are typed YAML scalars to AGT, strings to Tollgate.
 *
 * <p><b>AGT 4.1.0.</b> {@code yaml.safe_load} (schema.py line 150, v4.1.0, commit 0de71ca6c9) types mapping keys like
 * any plain scalar: {@code {401: unauthorized}} has the int key 401 ({@code yes:} the key True, {@code ~:} None,
 * {@code 0x10:} 16). {@code in} is {@code ctx_value in target} (evaluator.py line 381), a dict key lookup by hash
 * and {@code ==}: the int 401 is in it, the string "401" is not.
 *
 * <p><b>Tollgate.</b> JSON object keys are strings, so the operand is {@code {"401": "unauthorized"}};
 * {@code PythonValues.in} finds the string "401" among the keys: denied where AGT allows. (The number 401 is denied
 * too, but only because its text reading "401" disagrees with its exact reading: {@code number_readings_disagree}.
 * Keys PyYAML re-spells, {@code {1_000: x}} or {@code {0x10: x}} (AGT: the ints 1000, 16), do get through: 1000 is
 * not "1_000" in any reading, so a deny rule {@code in} such a mapping allows 1000; absurd enough not to test.)
 *
 * <p><b>Fix.</b> Keep YAML key types for AGT operands: refuse at load a mapping operand of {@code in}/{@code not_in}
 * whose plain keys PyYAML would not read as strings (ints, floats, bools, null, dates), or compare a number or bool
 * item with such keys by value. (The importer already refuses mapping operands.)
 */
class YamlMappingKeysAgtReviewUTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AGT = """
            version: "1.0"
            name: mapping-keys
            defaults: {action: allow}
            rules:
              - name: block-auth-failures
                condition: {field: status, operator: in, value: {401: unauthorized, 403: forbidden}}
                action: deny
                priority: 10
            """;

    private static Decision decide(String arguments) throws Exception {
        CompiledPolicy policy;
        try {
            policy = PolicyLoader.parse(AGT, "review-u.yaml", CheckRegistry.withDefaults());
        } catch (PolicyException refused) {
            return null; // refusing the operand at load also fixes it
        }
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "report", JSON.readTree(arguments)),
                Identity.ANONYMOUS, NOW, new AssumedFacts(0, 0, false)));
    }

    /**
     * AGT: "401" in {401: ..., 403: ...} is False. The key stays the integer 401 (PythonYaml), so the rule does not match
     * "401" as AGT reads it; but an upstream reading the field as an integer acts on 401, which the rule denies: the two
     * readings disagree, and the call is denied as for {@code in: [401]} ({@code number_readings_disagree}, see the README's
     * table). A status no key names is allowed, as in AGT; the integer 401 is denied by the rule itself.
     */
    @Test
    void aStringIsNotAmongIntegerKeysButItsIntegerReadingIs() throws Exception {
        Decision text = decide("{\"status\": \"401\"}");
        assertThat(text.action()).isEqualTo(Action.DENY);
        assertThat(text.failure()).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
        assertThat(decide("{\"status\": \"200\"}").action()).isEqualTo(Action.ALLOW);
        Decision number = decide("{\"status\": 401}");
        assertThat(number.action()).isEqualTo(Action.DENY);
        assertThat(number.ruleName()).isEqualTo("block-auth-failures");
    }
}
