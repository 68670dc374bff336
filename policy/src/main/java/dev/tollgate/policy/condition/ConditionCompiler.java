package dev.tollgate.policy.condition;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.check.PolicyCheck;
import dev.tollgate.policy.yaml.Problems;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the YAML condition grammar into {@link Condition} objects, once, at load time. Each condition is
 * a mapping with exactly one key: a combinator ({@code all}, {@code any}, {@code not}) or a leaf. Every
 * mistake is reported with its line; nothing is guessed.
 */
public final class ConditionCompiler {

    public static final List<String> KEYS = List.of("all", "any", "not", "protocol", "method", "tool", "resource", "prompt",
            "direction", "arg", "spiffe_id", "claim", "capability", "scope", "pinned", "time", "check");
    private static final Map<String, DayOfWeek> DAYS = Map.of("mon", DayOfWeek.MONDAY, "tue", DayOfWeek.TUESDAY,
            "wed", DayOfWeek.WEDNESDAY, "thu", DayOfWeek.THURSDAY, "fri", DayOfWeek.FRIDAY, "sat", DayOfWeek.SATURDAY,
            "sun", DayOfWeek.SUNDAY);

    private final CheckRegistry checks;
    private final Problems problems;
    private final java.util.Set<String> checksUsed = new java.util.TreeSet<>();
    private String rule;
    private String policy;
    /** How many checks of the current rule were compiled: the next one's place in its scope. */
    private int checksInRule;

    public ConditionCompiler(CheckRegistry checks, Problems problems) {
        this.checks = checks;
        this.problems = problems;
    }

    /** The checks (and bound check names) conditions may use. */
    public CheckRegistry registry() {
        return checks;
    }

    /** Names the policy whose rules this compiles: checks keeping state of their own scope it by policy too. */
    public ConditionCompiler inPolicy(String policy) {
        this.policy = policy;
        return this;
    }

    /** Compiles the condition of rule {@code rule}: checks that report denials by rule name get it. */
    public Condition compileRule(String rule, JsonNode node, String pointer) {
        this.rule = rule;
        this.checksInRule = 0;
        return compile(node, pointer);
    }

    /** The policy, the rule and the check's place in the rule, each escaped, so no two checks share a scope. */
    private String nextCheckScope() {
        return dev.tollgate.policy.CallerKey.part(policy == null ? "-" : policy) + "|"
                + dev.tollgate.policy.CallerKey.part(rule == null ? "-" : rule) + "|" + checksInRule++;
    }

    /** The names of the custom checks the compiled conditions use, so the gateway fetches only the state they read. */
    public java.util.Set<String> checksUsed() {
        return java.util.Set.copyOf(checksUsed);
    }

    /** @return the compiled condition, or null after recording a problem */
    public Condition compile(JsonNode node, String pointer) {
        if (node == null || !node.isObject() || node.size() != 1) {
            problems.add(pointer, "a condition is a mapping with exactly one key, one of: " + String.join(", ", KEYS));
            return null;
        }
        String key = node.fieldNames().next();
        JsonNode value = node.get(key);
        String at = pointer + "/" + key;
        return switch (key) {
            case "all", "any" -> combine(key, value, at);
            case "not" -> {
                Condition inner = compile(value, at);
                yield inner == null ? null : new NotCondition(inner);
            }
            case "protocol" -> callField(CallField.PROTOCOL, value, at);
            case "method" -> callField(CallField.METHOD, value, at);
            case "tool" -> callField(CallField.TOOL, value, at);
            case "resource" -> callField(CallField.RESOURCE, value, at);
            case "prompt" -> callField(CallField.PROMPT, value, at);
            case "direction" -> direction(value, at);
            case "arg" -> argument(value, at);
            case "spiffe_id" -> value.isTextual() && !value.textValue().isEmpty() ? new SpiffeIdCondition(Glob.path(value.textValue()))
                    : problem(at, "spiffe_id needs a SPIFFE ID pattern such as spiffe://example.org/agents/*");
            case "claim" -> claim(value, at);
            case "capability" -> value.isTextual() && !value.textValue().isEmpty() ? new CapabilityCondition(value.textValue())
                    : problem(at, "capability needs a capability name");
            case "scope" -> value.isTextual() && !value.textValue().isEmpty() ? new ScopeCondition(value.textValue())
                    : problem(at, "scope needs an OAuth scope name such as tools:write");
            case "pinned" -> value.isBoolean() ? new PinnedCondition(value.booleanValue())
                    : problem(at, "pinned is true (the tool's definition is the reviewed one) or false");
            case "time" -> time(value, at);
            case "check" -> check(value, at);
            case "cel" -> problem(at, "CEL expressions are not supported in this version; use the structured conditions");
            default -> problem(at, "unknown condition '" + key + "' (expected one of " + String.join(", ", KEYS) + ")");
        };
    }

    private Condition combine(String key, JsonNode value, String at) {
        if (!value.isArray() || value.isEmpty()) {
            return problem(at, key + " needs a non-empty list of conditions");
        }
        List<Condition> members = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            Condition c = compile(value.get(i), at + "/" + i);
            if (c != null) {
                members.add(c);
            }
        }
        if (members.size() != value.size()) {
            return null;
        }
        return key.equals("all") ? new AllOf(members) : new AnyOf(members);
    }

    private Condition callField(CallField field, JsonNode value, String at) {
        List<Glob> globs = new ArrayList<>();
        if (value.isTextual() && !value.textValue().isEmpty()) {
            globs.add(Glob.of(value.textValue()));
        } else if (value.isArray() && !value.isEmpty()) {
            for (JsonNode v : value) {
                if (!v.isTextual() || v.textValue().isEmpty()) {
                    return problem(at, field.yamlName() + " needs a name or glob, or a list of them");
                }
                globs.add(Glob.of(v.textValue()));
            }
        } else {
            return problem(at, field.yamlName() + " needs a name or glob, or a list of them");
        }
        if (field == CallField.PROTOCOL) {
            for (Glob glob : globs) {
                if (CallDescription.PROTOCOLS.stream().noneMatch(glob::matches)) {
                    // Protocol names are compared exactly; a rule written "A2A" or "MCP" would never match any call,
                    // and a deny rule that matches nothing fails open without a word.
                    return problem(at, "protocol '" + glob + "' matches no protocol; the protocols are "
                            + String.join(" and ", CallDescription.PROTOCOLS) + " (lower case)");
                }
            }
        }
        return new CallFieldCondition(field, globs);
    }

    private Condition direction(JsonNode value, String at) {
        if (!value.isTextual() || !(value.textValue().equals(CallDescription.CLIENT_TO_SERVER) || value.textValue().equals(CallDescription.SERVER_TO_CLIENT)
                || value.textValue().equals(CallDescription.RESULT))) {
            return problem(at, "direction is client_to_server, server_to_client or result");
        }
        return new CallFieldCondition(CallField.DIRECTION, List.of(Glob.of(value.textValue())));
    }

    private Condition argument(JsonNode value, String at) {
        if (!value.isObject() || !value.has("path")) {
            return problem(at, "arg needs {path: <JSON pointer>, <operator>: <value>}");
        }
        JsonNode path = value.get("path");
        JsonPointer pointer;
        try {
            if (!path.isTextual() || !path.textValue().startsWith("/")) {
                throw new IllegalArgumentException("not a pointer");
            }
            pointer = JsonPointer.compile(path.textValue());
        } catch (IllegalArgumentException e) {
            return problem(at + "/path", "path must be a JSON pointer such as /command or /options/0/name");
        }
        ValueTest test = valueTest(value, "path", at);
        return test == null ? null : new ArgumentCondition(pointer, test);
    }

    private Condition claim(JsonNode value, String at) {
        if (!value.isObject() || !value.hasNonNull("name") || !value.get("name").isTextual()) {
            return problem(at, "claim needs {name: tenant|agent|run|sub|parent|tree|<claim>, <operator>: <value>}");
        }
        ValueTest test = valueTest(value, "name", at);
        return test == null ? null : new ClaimCondition(value.get("name").textValue(), test);
    }

    /** The one operator key beside {@code keyField} (and an optional {@code normalize}) in an arg/claim mapping. */
    private ValueTest valueTest(JsonNode value, String keyField, String at) {
        String operator = null;
        TextNormalization normalization = TextNormalization.NONE;
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (field.equals("normalize")) {
                try {
                    normalization = TextNormalization.of(value.get(field));
                } catch (IllegalArgumentException e) {
                    problems.add(at + "/normalize", e.getMessage());
                    return null;
                }
            } else if (!field.equals(keyField)) {
                if (operator != null) {
                    problems.add(at, "exactly one operator allowed, found '" + operator + "' and '" + field + "'");
                    return null;
                }
                operator = field;
            }
        }
        if (operator == null) {
            problems.add(at, "needs an operator: one of " + String.join(", ", ValueTest.OPERATORS));
            return null;
        }
        try {
            return ValueTest.compile(operator, value.get(operator), normalization);
        } catch (IllegalArgumentException e) {
            problems.add(at + "/" + operator, e.getMessage());
            return null;
        }
    }

    private Condition time(JsonNode value, String at) {
        if (!value.isObject()) {
            return problem(at, "time needs {after?, before?, zone?, days?}");
        }
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!Set.of("after", "before", "zone", "days").contains(field)) {
                return problem(at + "/" + field, "unknown time field (expected after, before, zone, days)");
            }
        }
        try {
            LocalTime after = value.has("after") ? LocalTime.parse(value.get("after").asText()) : null;
            LocalTime before = value.has("before") ? LocalTime.parse(value.get("before").asText()) : null;
            ZoneId zone = ZoneId.of(value.path("zone").asText("UTC"));
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            JsonNode dayList = value.get("days");
            if (dayList != null && dayList.isTextual() && DAYS.containsKey(dayList.textValue().toLowerCase(Locale.ROOT))) {
                // One day name is the one-element list (`days: mon` is `days: [mon]`).
                dayList = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(dayList);
            }
            if (dayList != null && (!dayList.isArray() || dayList.isEmpty())) {
                // A scalar (`days: mon-fri`, `days: weekdays`) or an empty list would hold no day, which TimeCondition reads
                // as every day: an allow rule meant for weekdays would allow on Saturday.
                return problem(at + "/days", "days is a non-empty list of day names, e.g. [mon, tue, wed, thu, fri] (got "
                        + (dayList.isArray() ? "an empty list" : "'" + dayList.asText() + "'") + ")");
            }
            for (JsonNode d : dayList == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : dayList) {
                DayOfWeek day = d.isTextual() ? DAYS.get(d.textValue().toLowerCase(Locale.ROOT)) : null;
                if (day == null) {
                    return problem(at + "/days", "days are mon, tue, wed, thu, fri, sat, sun");
                }
                days.add(day);
            }
            return new TimeCondition(after, before, zone, days);
        } catch (DateTimeParseException e) {
            return problem(at, "times are HH:MM, e.g. \"09:00\"");
        } catch (java.time.DateTimeException e) {
            return problem(at + "/zone", "unknown time zone: " + e.getMessage());
        }
    }

    private Condition check(JsonNode value, String at) {
        if (!value.isObject() || !value.hasNonNull("name")) {
            return problem(at, "check needs {name: <registered check>, args: {...}}");
        }
        String name = value.get("name").asText();
        PolicyCheck check = checks.find(name).orElse(null);
        if (check == null) {
            return problem(at + "/name", "unknown check '" + name + "' (registered: " + checks.names() + ")");
        }
        try {
            CheckCondition condition = new CheckCondition(name, check.compile(value.get("args"), rule, nextCheckScope()));
            checksUsed.add(name);
            return condition;
        } catch (IllegalArgumentException e) {
            return problem(at + "/args", e.getMessage());
        }
    }

    private Condition problem(String at, String message) {
        problems.add(at, message);
        return null;
    }
}
