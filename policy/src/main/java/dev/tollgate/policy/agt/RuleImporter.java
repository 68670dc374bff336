package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.condition.AgtCondition;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** One AGT rule as native rules (one, or two when AGT's TypeError deny needs its own rule), or the reason it cannot be. */
final class RuleImporter {

    /** Suffix of the deny rule written before an allow or audit rule whose condition AGT may fail to evaluate. */
    static final String TYPE_ERROR_SUFFIX = "-type-error";
    private static final Set<String> RULE_FIELDS = Set.of("name", "rule_id", "description", "condition", "action", "priority", "message",
            "dynamic_condition");

    private final Set<String> names;

    /** @param names every rule name in the document, so a guard rule's name never collides with one */
    RuleImporter(Set<String> names) {
        this.names = names;
    }

    /** The rule's name: {@code name}, or the integration guides' {@code rule_id} (as the loader reads it); null when neither. */
    static String name(JsonNode rule) {
        String field = rule.has("name") || !rule.has("rule_id") ? "name" : "rule_id";
        JsonNode name = rule.path(field);
        return name.isTextual() && !name.textValue().isBlank() ? name.textValue() : null;
    }

    RuleImport importRule(JsonNode rule, int index, ArrayNode out) {
        String label = name(rule) != null ? name(rule) : "#" + index;
        try {
            return new RuleImport.Converted(label, write(rule, label, out));
        } catch (Unconvertible e) {
            return new RuleImport.NotConverted(label, e.getMessage());
        }
    }

    private List<String> write(JsonNode rule, String label, ArrayNode out) {
        if (!rule.isObject() || name(rule) == null) {
            throw new Unconvertible("a rule needs a name (AGT 4.1.0 rules have a name, not an id)");
        }
        if (rule.has("conditions")) {
            throw new Unconvertible("a conditions list is not AGT 4.1.0 (AGT refuses this rule too)");
        }
        List<String> notes = new ArrayList<>();
        for (Iterator<String> it = rule.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!RULE_FIELDS.contains(field)) {
                notes.add("dropped " + field + " (" + ("override".equals(field) ? "only AGT's folder merge reads it" : "not an AGT 5.0.0 rule field") + ")");
            }
        }
        int priority = priority(rule.get("priority"));
        String action = action(rule.get("action"));
        boolean denies = "deny".equals(action);
        JsonNode window;
        if (denies && AgtDynamicCondition.isBudgetWindow(rule.get("dynamic_condition"))) {
            // Review AK: left out, the rule let through what AGT denies. Without its window it denies more, never less.
            window = null;
            notes.add("dynamic_condition " + rule.get("dynamic_condition").get("type").textValue() + " dropped: AGT counts amounts its host"
                    + " passes with each call, which a gateway never sees; the rule now denies whenever its condition holds (write the"
                    + " limit as a native budget or rate_limit check to deny only past it)");
        } else {
            window = window(rule.get("dynamic_condition"));
        }
        JsonNode c = rule.get("condition");
        if (c != null && c.isObject() && !c.has("field") && !c.has("operator") && (c.has("tool") || c.has("custom_check"))) {
            out.add(rule(label, text(rule, "description"), priority, Nodes.all(hostForm(c), window), action, text(rule, "message")));
            return notes;
        }
        if (c == null || !c.isObject() || c.size() != 3 || !c.path("field").isTextual() || !c.path("operator").isTextual() || !c.has("value")) {
            throw new Unconvertible("the condition is not {field, operator, value} (Tollgate refuses it too)");
        }
        String field = c.get("field").textValue();
        String operator = c.get("operator").textValue();
        try {
            AgtCondition.compile(field, operator, c.get("value"));
        } catch (IllegalArgumentException e) {
            throw new Unconvertible("the AGT condition does not load in Tollgate: " + e.getMessage());
        }
        boolean deny = denies;
        ConditionImporter.Translation t = ConditionImporter.translate(field, operator, c.get("value"), deny);
        notes.addAll(t.notes());
        // AGT evaluates the dynamic condition only once the condition held: the window limits the match, never the error.
        JsonNode condition = Nodes.all(t.match(), window);
        if (t.error() != null && deny) {
            // AGT denies the call when it cannot evaluate the condition: for a deny rule that is the rule matching.
            condition = Nodes.any(condition, t.error());
        } else if (t.error() != null) {
            String guard = label + TYPE_ERROR_SUFFIX;
            if (names.contains(guard)) {
                throw new Unconvertible("needs a rule named " + guard + " for AGT's type-error deny, and the document has one");
            }
            // Same priority, just before: reached exactly when AGT would evaluate (and fail on) this rule. Exact, so no
            // note; the guard's message says why it is there.
            out.add(rule(guard, null, priority, t.error(), "deny", "AGT denies the call when " + field
                    + " cannot be compared (" + operator + "): rule " + label));
        }
        out.add(rule(label, text(rule, "description"), priority, condition, action, text(rule, "message")));
        return notes;
    }

    /** The native {@code time} condition an AGT 5.0.0 {@code dynamic_condition} means; null when the rule has none. */
    private static JsonNode window(JsonNode dynamic) {
        if (dynamic == null || dynamic.isNull()) {
            return null;
        }
        AgtDynamicCondition.Result result = AgtDynamicCondition.translate(dynamic);
        if (result instanceof AgtDynamicCondition.Refused refused) {
            throw new Unconvertible("dynamic_condition" + refused.pointer().replace('/', '.') + ": " + refused.message());
        }
        return Nodes.single("time", ((AgtDynamicCondition.Time) result).time());
    }

    /**
     * The integration guides' {@code condition: {tool: X}}: the tool's name exactly. With {@code custom_check} it is
     * not converted: the check's meaning is bound in the gateway's configuration, which the document does not hold.
     */
    private static JsonNode hostForm(JsonNode c) {
        if (c.has("custom_check")) {
            throw new Unconvertible("custom_check '" + c.get("custom_check").asText() + "' is bound to a check in the gateway's"
                    + " configuration (policies.custom-checks): write that binding as check: {name, args} in a native rule");
        }
        if (c.size() != 1) {
            throw new Unconvertible("a condition of this form takes tool and custom_check only (Tollgate refuses it too)");
        }
        return CallNames.translate(new ContextField.CallName("tool"), "tool", "eq", c.get("tool"));
    }

    private static ObjectNode rule(String name, String description, int priority, JsonNode condition, String action, String message) {
        ObjectNode r = Nodes.F.objectNode().put("name", name);
        if (description != null) {
            r.put("description", description);
        }
        r.put("priority", priority);
        r.set("condition", condition);
        r.put("action", action);
        if (message != null) {
            r.put("message", message);
        }
        return r;
    }

    private static String text(JsonNode rule, String field) {
        return rule.hasNonNull(field) ? rule.get(field).asText() : null;
    }

    private static int priority(JsonNode p) {
        java.math.BigInteger exact = AgtPriority.exact(p);
        if (exact == null) {
            throw new Unconvertible("priority '" + (p == null ? "" : p.asText()) + "' is not an integer (AGT and Tollgate refuse it too)");
        }
        if (exact.bitLength() > 31) {
            // The loader orders such a document by rank; a native priority is written as it is, so it must fit.
            throw new Unconvertible("priority " + exact + " is beyond a native priority's range (-2147483648..2147483647);"
                    + " AGT reads any Python int: rescale the document's priorities, keeping their order, and import again");
        }
        return exact.intValue();
    }

    static String action(JsonNode value) {
        String action = value != null && value.isTextual() ? value.textValue() : "";
        return switch (action) {
            case "allow", "deny", "audit" -> action;
            case "block" -> "deny";
            default -> throw new Unconvertible("action '" + (value == null ? "" : value.asText())
                    + "' is not allow, deny, audit or block (AGT 5.0.0's Python schema refuses it too)");
        };
    }
}
