package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.condition.AgtCondition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Converts an Agent Governance Toolkit 5.0.0 document (the parsed tree) into a native Tollgate document that
 * decides every call as the AGT document does, rule by rule: a rule no native condition decides exactly like
 * is left out and reported, never approximated in the direction of allowing more. Pure: no I/O.
 *
 * <p>Tollgate loads AGT documents as they are; this is for teams moving to native conditions.
 */
public final class AgtImporter {

    private static final Set<String> UNENFORCED = Set.of("max_tokens", "confidence_threshold", "max_cpu",
            "max_memory_mb", "timeout_seconds", "network_default");
    private static final Set<String> DROPPED_TOP_LEVEL = Set.of("inherit", "scope", "tool_allowlist", "network_allowlist",
            "sandbox_mounts", "disclaimer", "metadata");

    private AgtImporter() {
    }

    public static ImportResult convert(JsonNode agt) throws AgtImportException {
        String dotnet = PolicyLoader.agtDotnetRefusal(agt);
        if (dotnet != null) {
            throw new AgtImportException(dotnet);
        }
        if (!PolicyLoader.isAgtDocument(agt)) {
            throw new AgtImportException("not an AGT document (no rule has a {field, operator, value} condition, and no AGT-only"
                    + " top-level key or default)");
        }
        if (!agt.path("name").isTextual() || agt.get("name").textValue().isBlank()) {
            throw new AgtImportException("the document has no name (routes select policies by name)");
        }
        List<String> notes = new ArrayList<>();
        ObjectNode out = Nodes.F.objectNode();
        out.put("name", agt.get("name").textValue());
        copyText(agt, out, "version");
        copyText(agt, out, "description");
        if (agt.has("mode")) {
            String mode = agt.get("mode").asText();
            if (!mode.equals("enforce") && !mode.equals("shadow")) {
                throw new AgtImportException("mode is enforce or shadow, got '" + mode + "'");
            }
            out.put("mode", mode);
        }
        out.set("defaults", defaults(agt.get("defaults"), notes));
        for (Iterator<String> it = agt.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (DROPPED_TOP_LEVEL.contains(field)) {
                notes.add("dropped " + field + ": " + ("tool_allowlist".equals(field)
                        ? "never enforced by the gateway; to enforce it write a deny rule {not: {tool: [...]}}"
                        : "no meaning in a gateway (AGT folder, sandbox or display setting)"));
            }
        }
        ArrayNode rules = Nodes.F.arrayNode();
        maxToolCalls(agt.path("defaults").get("max_tool_calls"), rules);
        List<RuleImport> reports = rules(agt.get("rules"), rules, notes);
        callerChosen(agt.get("rules"), notes);
        out.set("rules", rules);
        return new ImportResult(agt.get("name").textValue(), out, reports, notes);
    }

    private static ObjectNode defaults(JsonNode defaults, List<String> notes) throws AgtImportException {
        ObjectNode out = Nodes.F.objectNode();
        if (defaults == null || defaults.isNull() || (defaults.isObject() && !defaults.has("action"))) {
            // AGT 5.0.0 denies calls no rule matches when no default is written (4.1.0 allowed them): written out, fail closed.
            out.put("action", "deny");
            notes.add("defaults.action was omitted, which AGT 5.0.0 reads as deny (AGT 4.1.0 read it as allow): written as deny"
                    + " explicitly; write allow to keep 4.1.0's behaviour");
        } else if (!defaults.isObject()) {
            throw new AgtImportException("defaults is a mapping with action");
        } else {
            try {
                out.put("action", RuleImporter.action(defaults.get("action")));
            } catch (Unconvertible e) {
                throw new AgtImportException("defaults: " + e.getMessage());
            }
        }
        if (defaults != null && defaults.isObject()) {
            for (Iterator<String> it = defaults.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!"action".equals(field) && !MAX_TOOL_CALLS.equals(field)) {
                    notes.add("dropped defaults." + field + (UNENFORCED.contains(field)
                            ? ": an LLM or sandbox setting the gateway never enforced" : ": not an AGT 5.0.0 default"));
                }
            }
        }
        return out;
    }

    private static final String MAX_TOOL_CALLS = "max_tool_calls";
    /** The loader's name for the rule (a dot: no AGT rule name clashes with it), so decisions and audit name it alike. */
    static final String MAX_TOOL_CALLS_RULE = "defaults.max_tool_calls";

    /**
     * {@code defaults.max_tool_calls: N}, which the gateway enforces for AGT documents: the same rule the loader
     * builds, ahead of every other (highest priority, first in the file): a run's bucket of N tool calls.
     */
    private static void maxToolCalls(JsonNode cap, ArrayNode rules) throws AgtImportException {
        if (cap == null || cap.isNull()) {
            return;
        }
        // As pydantic's lax int reads it (3, "3", 3.0); 0 is AGT v4's "no tool call at all".
        // A Python int of any size: past 2^31-1 calls the cap is the same as 2^31-1 (a bucket that gives back one a day).
        java.math.BigInteger exact = cap.isBoolean() ? null : AgtPriority.exact(cap);
        Integer n = exact == null ? null : exact.min(java.math.BigInteger.valueOf(Integer.MAX_VALUE)).max(java.math.BigInteger.valueOf(-1)).intValue();
        if (n == null || n < 0) {
            throw new AgtImportException("defaults.max_tool_calls is a non-negative integer, got '" + cap.asText() + "'");
        }
        ObjectNode args = Nodes.F.objectNode().put("rate", 1).put("period", "24h").put("burst", n);
        MaxToolCalls.PER.forEach(args.putArray("per")::add);
        ObjectNode check = Nodes.F.objectNode().put("name", "rate_limit");
        check.set("args", args);
        ObjectNode rule = rules.addObject().put("name", MAX_TOOL_CALLS_RULE).put("description", "AGT defaults.max_tool_calls")
                .put("priority", Integer.MAX_VALUE);
        ArrayNode methods = Nodes.F.arrayNode();
        MaxToolCalls.METHODS.forEach(methods::add);
        JsonNode toolsCall = Nodes.single("method", methods);
        rule.set("condition", n == 0 ? toolsCall : Nodes.all(toolsCall, Nodes.single("check", check)));
        rule.put("action", "deny").put("message", "this run has made its " + n + " tool calls (defaults.max_tool_calls)");
    }

    /**
     * A note per field the converted rules read from the caller where AGT's host supplies it, naming the rules (as the
     * loader warns): the conversion is exact, the native rule reads the same claim or argument, so it is no rule's note.
     */
    private static void callerChosen(JsonNode rules, List<String> notes) {
        if (rules == null || !rules.isArray()) {
            return;
        }
        java.util.Map<String, List<String>> byField = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            JsonNode field = rules.get(i).path("condition").path("field");
            if (field.isTextual() && AgtCondition.callerChosen(field.textValue(), List.of()) != null) {
                String name = RuleImporter.name(rules.get(i));
                byField.computeIfAbsent(field.textValue(), f -> new ArrayList<>()).add(name == null ? "#" + i : name);
            }
        }
        byField.forEach((field, names) -> notes.add(AgtCondition.callerChosen(field, names)));
    }

    private static List<RuleImport> rules(JsonNode rules, ArrayNode out, List<String> notes) {
        List<RuleImport> reports = new ArrayList<>();
        if (rules == null || !rules.isArray()) {
            return reports;
        }
        Set<String> names = new HashSet<>();
        rules.forEach(r -> names.add(RuleImporter.name(r)));
        names.add(MAX_TOOL_CALLS_RULE);
        RuleImporter importer = new RuleImporter(names);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            String name = RuleImporter.name(rule);
            if (name != null && !seen.add(name)) {
                reports.add(new RuleImport.NotConverted(name, "a second rule named " + name + " (Tollgate refuses the AGT document"
                        + " for it; native rule names are unique)"));
                continue;
            }
            reports.add(importer.importRule(rule, i, out));
            lookalikeField(rule, notes);
        }
        return reports;
    }

    /**
     * A note on the document, not the rule: the rule decides exactly as AGT's (a caller's argument then decides it in
     * both), which is what the author should hear about.
     */
    private static void lookalikeField(JsonNode rule, List<String> notes) {
        JsonNode field = rule.path("condition").path("field");
        String said = field.isTextual() ? AgtCondition.speltLikeGatewayField(field.textValue()) : null;
        if (said != null) {
            notes.add("rule " + RuleImporter.name(rule) + ": " + said);
        }
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        if (from.hasNonNull(field) && from.get(field).isValueNode()) {
            to.put(field, from.get(field).asText());
        }
    }
}
