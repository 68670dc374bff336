package dev.tollgate.policy.agt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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
 * AGT documents decide on their operands as AGT 4.1.0 reads them (PyYAML, YAML 1.1): each expectation is Python's
 * answer for the operand {@code yaml.safe_load} makes ({@code in} a dict by key, a date equal to no JSON value, a
 * TypeError denying the call).
 */
class YamlOneOneScalarsAgtTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CompiledPolicy rule(String field, String operator, String value, String action, String defaultAction) throws PolicyException {
        return PolicyLoader.parse("""
                version: "1.0"
                name: yaml11
                defaults: {action: %s}
                rules:
                  - name: the-rule
                    condition: {field: %s, operator: %s, value: %s}
                    action: %s
                    priority: 10
                """.formatted(defaultAction, field, operator, value, action), "yaml11.yaml", CheckRegistry.withDefaults());
    }

    private static CompiledPolicy denyRule(String field, String operator, String value) throws PolicyException {
        return rule(field, operator, value, "deny", "allow");
    }

    private static Decision decide(CompiledPolicy policy, String arguments) throws Exception {
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "t", JSON.readTree(arguments)),
                Identity.ANONYMOUS, NOW, new AssumedFacts(0, 0, false)));
    }

    private static boolean denied(CompiledPolicy policy, String arguments) throws Exception {
        return decide(policy, arguments).isDenied();
    }

    @Test
    void integerKeysAreFoundByValueNeverAsStrings() throws Exception {
        CompiledPolicy policy = denyRule("status", "in", "{401: unauthorized, 403: forbidden}");

        assertThat(denied(policy, "{\"status\": 401}")).isTrue();
        assertThat(denied(policy, "{\"status\": 403.0}")).isTrue();
        // "401" is no key to AGT, but 401 to an upstream reading the field as an integer: the readings disagree, denied.
        assertThat(decide(policy, "{\"status\": \"401\"}").failure()).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
        assertThat(denied(policy, "{\"status\": 404}")).isFalse();
        // A list is unhashable: TypeError in AGT, the call denied.
        assertThat(denied(policy, "{\"status\": [401]}")).isTrue();
        assertThat(denied(denyRule("status", "not_in", "{401: unauthorized}"), "{\"status\": \"401\"}")).isTrue();
    }

    @Test
    void boolAndNullKeysAreTheirPythonValues() throws Exception {
        CompiledPolicy policy = denyRule("flag", "in", "{yes: a, ~: b}");

        assertThat(denied(policy, "{\"flag\": true}")).isTrue();
        assertThat(denied(policy, "{\"flag\": 1}")).as("True == 1").isTrue();
        assertThat(denied(policy, "{\"flag\": \"yes\"}")).isFalse();
        assertThat(denied(policy, "{\"flag\": false}")).isFalse();
    }

    @Test
    void stringKeysBesideOthersAreStillFound() throws Exception {
        CompiledPolicy policy = denyRule("code", "in", "{401: a, abc: b}");

        assertThat(denied(policy, "{\"code\": \"abc\"}")).isTrue();
        assertThat(denied(policy, "{\"code\": 401}")).isTrue();
        assertThat(denied(policy, "{\"code\": \"ab\"}")).isFalse();
    }

    @Test
    void aDateEqualsNoCallValue() throws Exception {
        assertThat(denied(denyRule("h", "eq", "2026-12-02"), "{\"h\": \"2026-12-02\"}")).isFalse();
        Decision ne = decide(denyRule("h", "ne", "2026-12-02"), "{\"h\": \"2026-12-02\"}");
        assertThat(ne.action()).isEqualTo(Action.DENY);
        assertThat(ne.ruleName()).isEqualTo("the-rule");
        CompiledPolicy inList = denyRule("h", "in", "[2026-12-02, x]");
        assertThat(denied(inList, "{\"h\": \"2026-12-02\"}")).isFalse();
        assertThat(denied(inList, "{\"h\": \"x\"}")).isTrue();
    }

    @Test
    void aDateIsSearchedForAsPythonWritesIt() throws Exception {
        CompiledPolicy date = denyRule("note", "matches", "2026-12-02");
        assertThat(denied(date, "{\"note\": \"due 2026-12-02\"}")).isTrue();
        assertThat(denied(date, "{\"note\": \"due 2026-12-03\"}")).isFalse();
        CompiledPolicy datetime = denyRule("note", "matches", "2026-12-02T10:00:00.5");
        assertThat(denied(datetime, "{\"note\": \"at 2026-12-02 10:00:00.500000\"}")).isTrue();
        assertThat(denied(datetime, "{\"note\": \"at 2026-12-02T10:00:00.5\"}")).isFalse();
    }

    @Test
    void aDateInAStringIsATypeError() throws Exception {
        CompiledPolicy policy = rule("text", "contains", "2026-12-02", "allow", "allow");

        // 'in <string>' requires a string as left operand: AGT denies the call.
        assertThat(denied(policy, "{\"text\": \"on 2026-12-02\"}")).isTrue();
        assertThat(denied(policy, "{\"text\": [\"2026-12-02\"]}")).isFalse();
    }

    @Test
    void orderingAgainstADateIsRefusedAtLoadWithItsLine() {
        assertThatThrownBy(() -> denyRule("v", "lt", "2024-10-21"))
                .isInstanceOfSatisfying(PolicyException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    assertThat(e.problems().get(0).line()).isEqualTo(6);
                    assertThat(e.problems().get(0).message()).contains("got a date").contains("quote it");
                });
    }

    @Test
    void infinityOrdersAndNanIsUnordered() throws Exception {
        assertThat(decide(rule("amount", "lt", ".inf", "allow", "deny"), "{\"amount\": 50}").action()).isEqualTo(Action.ALLOW);
        assertThat(denied(denyRule("amount", "gt", "-.inf"), "{\"amount\": -1e300}")).isTrue();
        assertThat(denied(denyRule("amount", "eq", ".inf"), "{\"amount\": 5}")).isFalse();
        assertThat(denied(denyRule("amount", "lt", ".nan"), "{\"amount\": 5}")).isFalse();
        assertThat(denied(denyRule("amount", "ne", ".nan"), "{\"amount\": 5}")).isTrue();
        // Python's int 10**400 is not the float inf and is below it; to JavaScript it is Infinity: the readings disagree.
        String huge = "1" + "0".repeat(400);
        assertThat(decide(denyRule("amount", "lt", ".inf"), "{\"amount\": " + huge + "}").failure())
                .isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
        assertThat(decide(denyRule("amount", "gt", "1.0"), "{\"amount\": " + huge + "}").failure())
                .as("exactly and as a double above 1: no error ordering the double Infinity").isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void numbersAreTheIntegersAndStringsPyYamlReads() throws Exception {
        assertThat(denied(denyRule("c", "eq", "1e3"), "{\"c\": \"1e3\"}")).isTrue();
        assertThat(denied(denyRule("g", "eq", "1:30"), "{\"g\": 90}")).isTrue();
        assertThat(denied(denyRule("o", "eq", "017"), "{\"o\": 15}")).isTrue();
        assertThat(denied(denyRule("o", "eq", "0o17"), "{\"o\": \"0o17\"}")).isTrue();
        assertThat(denied(denyRule("o", "eq", "0o17"), "{\"o\": 15}")).isFalse();
        assertThat(denied(denyRule("b", "eq", "off"), "{\"b\": false}")).isTrue();
    }

    @Test
    void aScalarPyYamlCannotReadIsALoadError() {
        assertThatThrownBy(() -> denyRule("v", "eq", "0x_")).isInstanceOf(PolicyException.class).hasMessageContaining("0x_");
        assertThatThrownBy(() -> denyRule("v", "eq", "2026-13-01")).isInstanceOf(PolicyException.class);
        assertThatThrownBy(() -> denyRule("v", "eq", "=")).isInstanceOf(PolicyException.class);
    }

    @Test
    void theImporterReadsAnAgtDocumentAsAgtDoesAndANativeOneAsBefore() throws Exception {
        JsonNode agt = PolicyLoader.readDocument("""
                name: n
                rules:
                  - {name: r, condition: {field: c, operator: eq, value: 1e3}, action: deny}
                """);
        assertThat(agt.at("/rules/0/condition/value").isTextual()).isTrue();
        ImportResult result = AgtImporter.convert(agt);
        assertThat(result.document().toString()).contains("\"1e3\"");

        JsonNode nativeDocument = PolicyLoader.readDocument("""
                name: n
                rules:
                  - {name: r, condition: {arg: {path: /c, eq: 1e3}}, action: deny}
                """);
        assertThat(nativeDocument.at("/rules/0/condition/arg/eq").isNumber()).isTrue();
    }
}
