package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.policy.condition.AgtCondition;
import dev.tollgate.policy.condition.PythonRegex;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * One AGT condition {@code {field, operator, value}} as native conditions that decide alike. AGT's rules, which
 * native operators do not share, are written out: a field absent (or null) matches no operator, {@code ne} and
 * {@code not_in} included (native ones hold on absent values); a bool is the number 0 or 1; {@code contains} on a
 * number or bool raises, and AGT then denies the whole call: that case is {@link Translation#error}.
 */
final class ConditionImporter {

    /**
     * @param match the native condition that holds when the AGT condition does
     * @param error the native condition that holds when AGT would raise evaluating it (the call is denied), or null
     */
    record Translation(JsonNode match, JsonNode error, List<String> notes) {
    }

    private static final BigDecimal ZERO = BigDecimal.ZERO;
    private static final BigDecimal ONE = BigDecimal.ONE;
    private static final String MAPPING_KEY = "a mapping argument whose key is the text holds null, or a mapping claim has"
            + " the key: AGT matches, the native rule does not (a pointer reads null as absent; claims have no pointer)";
    private static final String CONTAINERS_DENIED = "AGT searches the Python text of a list or mapping value; the native"
            + " rule denies any list or mapping value (stricter), and a float written with an exponent (1e+20) reads"
            + " as Java writes it (1.0E20)";
    private static final String CONTAINERS_SKIPPED = "AGT searches the Python text of a list or mapping value; the native"
            + " rule does not match one (never allows more), and a float written with an exponent (1e+20) reads as Java"
            + " writes it (1.0E20)";

    private ConditionImporter() {
    }

    static Translation translate(String field, String operator, JsonNode value, boolean denyRule) {
        ContextField context = ContextField.of(field);
        if (context instanceof ContextField.Unsupported u) {
            throw new Unconvertible(u.reason());
        }
        if (context instanceof ContextField.ActionType) {
            return actionType(field, operator, value);
        }
        if (context instanceof ContextField.CallName name) {
            return new Translation(CallNames.translate(name, field, operator, value), null, List.of());
        }
        if (context instanceof ContextField.Claimed claimed) {
            return onValue(claimed.claim(), operator, value, denyRule);
        }
        ContextField.ClaimOrArgument both = (ContextField.ClaimOrArgument) context;
        Translation claim = onValue(both.claim(), operator, value, denyRule);
        Translation argument = onValue(both.argument(), operator, value, denyRule);
        // AGT's context: the claim when the caller has one (it shadows the argument), else the argument. Exact, so no note.
        JsonNode has = both.claim().present();
        JsonNode lacks = both.claim().absent();
        List<String> notes = new ArrayList<>(argument.notes());
        claim.notes().stream().filter(n -> !notes.contains(n)).forEach(notes::add);
        return new Translation(Nodes.any(Nodes.all(has, claim.match()), Nodes.all(lacks, argument.match())),
                claim.error() == null ? null : Nodes.any(Nodes.all(has, claim.error()), Nodes.all(lacks, argument.error())),
                notes);
    }

    /**
     * {@code action_type} is {@code tool_call} on an MCP {@code tools/call}, {@code invoke_agent} on an A2A message send,
     * and absent on other calls (no operator matches there): the condition holds on the methods of each value it holds
     * on, never otherwise, and where AGT would raise comparing a value (TypeError, the call denied) that is the error on
     * that value's methods.
     */
    private static Translation actionType(String field, String operator, JsonNode value) {
        ArrayNode holding = Nodes.F.arrayNode();
        ArrayNode raising = Nodes.F.arrayNode();
        for (String method : AgtCondition.TOOL_CALL_METHODS) {
            String kind = AgtCondition.actionType(dev.tollgate.policy.CallDescription.mcpRequest(null, method, null));
            try {
                if (AgtCondition.compile(field, operator, value).holdsOn(Nodes.F.textNode(kind))) {
                    holding.add(method);
                }
            } catch (IllegalArgumentException typeError) {
                raising.add(method);
            }
        }
        JsonNode never = Nodes.not(Nodes.single("method", Nodes.F.textNode("*")));
        return new Translation(holding.isEmpty() ? never : Nodes.single("method", holding),
                raising.isEmpty() ? null : Nodes.single("method", raising), List.of());
    }

    private static Translation onValue(ValueSource s, String operator, JsonNode value, boolean denyRule) {
        return switch (operator) {
            case "eq" -> new Translation(equalTo(s, value), null, List.of());
            case "ne" -> new Translation(Nodes.all(s.present(), Nodes.not(equalTo(s, value))), null, List.of());
            case "in" -> new Translation(memberOf(s, value), null, List.of());
            case "not_in" -> new Translation(Nodes.all(s.present(), Nodes.not(memberOf(s, value))), null, List.of());
            case "gt", "gte", "lt", "lte" -> order(s, operator, value);
            case "contains" -> contains(s, value);
            case "matches" -> matches(s, value, denyRule);
            default -> throw new Unconvertible("unknown operator '" + operator + "'");
        };
    }

    /** Python {@code ==}: native eq plus the bools a number equals (True == 1) and the numbers a bool equals. */
    private static JsonNode equalTo(ValueSource s, JsonNode value) {
        ArrayNode equals = pythonEquals(value);
        return equals.size() == 1 ? s.leaf("eq", equals.get(0)) : s.leaf("in", equals);
    }

    private static JsonNode memberOf(ValueSource s, JsonNode value) {
        if (!value.isArray()) {
            throw new Unconvertible("in/not_in on a " + (value.isTextual() ? "string (a substring test)" : "mapping (a key test)")
                    + " has no native form");
        }
        ArrayNode members = Nodes.F.arrayNode();
        for (JsonNode element : value) {
            for (JsonNode equal : pythonEquals(element)) {
                if (!contains(members, equal)) {
                    members.add(equal);
                }
            }
        }
        return s.leaf("in", members);
    }

    private static boolean contains(ArrayNode list, JsonNode node) {
        for (JsonNode n : list) {
            if (n.equals(node)) {
                return true;
            }
        }
        return false;
    }

    /** The JSON values Python finds {@code ==} to a scalar: itself, and True/False for 1/0 (and back). */
    private static ArrayNode pythonEquals(JsonNode value) {
        ArrayNode out = Nodes.F.arrayNode();
        if (value.isTextual()) {
            return out.add(value);
        }
        if (value.isBoolean()) {
            return out.add(value).add(value.booleanValue() ? 1 : 0);
        }
        if (value.isNumber()) {
            out.add(value);
            BigDecimal n = value.decimalValue();
            if (n.compareTo(ONE) == 0) {
                out.add(true);
            } else if (n.compareTo(ZERO) == 0) {
                out.add(false);
            }
            return out;
        }
        if (value.isPojo()) {
            // A date, or a mapping with non-string keys, as PyYAML reads the operand: no JSON value is one.
            throw new Unconvertible("comparing with " + value.asText() + " (a value AGT's YAML reader makes that JSON has no form for) has no"
                    + " native form");
        }
        // Python compares lists and mappings deeply with numbers by value (1 == 1.0 == True); native eq does not.
        throw new Unconvertible("comparing with " + (value.isNull() ? "null (never matches)" : "a list or mapping") + " has no exact native form");
    }

    /**
     * Numbers order in both, and ordering anything else present raises in both (AGT denies the call, a native rule
     * denies fail closed, whatever its action). Only a bool differs: 0 or 1 in AGT, not a number natively; so a
     * bool is answered by its own branches and never reaches the native ordering.
     */
    private static Translation order(ValueSource s, String operator, JsonNode value) {
        if (!value.isNumber()) {
            throw new Unconvertible(operator + " with a " + (value.isTextual() ? "string operand compares text by code point;"
                    : "non-number operand") + " no native operator does");
        }
        int trueVsOperand = ONE.compareTo(value.decimalValue());
        int falseVsOperand = ZERO.compareTo(value.decimalValue());
        JsonNode match = Nodes.any(
                holds(operator, trueVsOperand) ? Nodes.all(isBool(s), s.leaf("eq", Nodes.F.booleanNode(true))) : null,
                holds(operator, falseVsOperand) ? Nodes.all(isBool(s), s.leaf("eq", Nodes.F.booleanNode(false))) : null,
                Nodes.all(Nodes.not(isBool(s)), s.leaf(operator, value)));
        return new Translation(match, null, List.of());
    }

    private static boolean holds(String operator, int comparison) {
        return switch (operator) {
            case "gt" -> comparison > 0;
            case "gte" -> comparison >= 0;
            case "lt" -> comparison < 0;
            default -> comparison <= 0;
        };
    }

    /** AGT: {@code value in field}: substring, list element; a number or bool field raises (the call is denied). */
    private static Translation contains(ValueSource s, JsonNode value) {
        if (!value.isTextual()) {
            throw new Unconvertible("contains with a non-string operand has no exact native form");
        }
        // A number is a scalar (native matches "" holds on it) that is no string (contains "" holds on every string);
        // tested in that order, so no string is scanned. Native ordering cannot tell: it raises on strings.
        JsonNode number = Nodes.all(Nodes.not(s.leaf("contains", Nodes.F.textNode(""))), s.leaf("matches", Nodes.F.textNode("")));
        JsonNode match = s.leaf("contains", value);
        if (s instanceof ValueSource.Argument argument) {
            if (value.textValue().matches("[0-9]+|-")) {
                // A native pointer /field/0 would also read element 0 of a list: no exact key test.
                throw new Unconvertible("contains '" + value.textValue() + "' on a mapping is a key test; a native pointer to that"
                        + " key would also read a list element");
            }
            // AGT: `text in mapping` is a key lookup; native contains does not look into mappings, a pointer does.
            return new Translation(Nodes.any(match, argument.hasKey(value.textValue())), Nodes.any(number, isBool(s)), List.of(MAPPING_KEY));
        }
        return new Translation(match, Nodes.any(number, isBool(s)), List.of(MAPPING_KEY));
    }

    /**
     * AGT searches {@code str(value)}: a string as it is (the same in native), an integer in decimal (as native
     * reads it), a bool as {@code True}/{@code False} (native reads {@code true}), a list or mapping as its Python
     * repr (native does not search one).
     */
    private static Translation matches(ValueSource s, JsonNode value, boolean denyRule) {
        if (!value.isTextual()) {
            throw new Unconvertible("matches with a non-string pattern has no exact native form");
        }
        String python = value.textValue();
        String pattern = PatternImporter.toNative(python);
        var regex = PythonRegex.compile(python);
        JsonNode strings = Nodes.all(Nodes.not(isBool(s)), s.leaf("matches", Nodes.F.textNode(pattern)));
        // Only reached for values the pattern did not throw on: a string too long for it has denied already.
        JsonNode container = Nodes.all(s.present(), Nodes.not(s.leaf("matches", Nodes.F.textNode(""))));
        JsonNode match = Nodes.any(strings,
                regex.find("True") ? Nodes.all(isBool(s), s.leaf("eq", Nodes.F.booleanNode(true))) : null,
                regex.find("False") ? Nodes.all(isBool(s), s.leaf("eq", Nodes.F.booleanNode(false))) : null,
                denyRule ? container : null);
        return new Translation(match, null, List.of(denyRule ? CONTAINERS_DENIED : CONTAINERS_SKIPPED));
    }

    /**
     * A bool, {@code in: [true, false]}: a type test, which no reading of the value as a boolean decides otherwise. It
     * guards the {@code eq: true}/{@code eq: false} branches that stand for Python's True and False as numbers or texts,
     * so a number or a string never reaches them and is not read by truthiness there (see JavaScriptCoercions).
     */
    private static JsonNode isBool(ValueSource s) {
        return s.leaf("in", Nodes.F.arrayNode().add(true).add(false));
    }
}
