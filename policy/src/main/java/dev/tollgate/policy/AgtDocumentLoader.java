package dev.tollgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.agt.AgtPriority;
import dev.tollgate.policy.check.CheckBinding;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.condition.AgtCondition;
import dev.tollgate.policy.condition.AllOf;
import dev.tollgate.policy.condition.Condition;
import dev.tollgate.policy.condition.ConditionCompiler;
import dev.tollgate.policy.yaml.Problems;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Loads a Microsoft Agent Governance Toolkit (AGT 5.0.0, {@code agent_os.policies}) document as it is, into the
 * same compiled model as a native one: each rule's {@code {field, operator, value}} becomes an
 * {@link AgtCondition}, ANDed with the native time condition its {@code dynamic_condition} means
 * ({@link AgtRuleWindow}). Where AGT fails open, this fails closed at load (see the AGT section of
 * policy/README.md); fields with no meaning in a gateway load with a warning.
 */
final class AgtDocumentLoader {

    /** Top-level keys only AGT documents have. */
    private static final Set<String> AGT_ONLY_FIELDS = Set.of("inherit", "scope", "tool_allowlist", "network_allowlist",
            "sandbox_mounts", "disclaimer", "metadata");
    private static final Set<String> DOCUMENT_FIELDS = Set.of("version", "name", "description", "mode", "rules", "defaults",
            "inherit", "scope", "tool_allowlist", "network_allowlist", "sandbox_mounts", "disclaimer", "metadata");
    /**
     * The condition keys of the rule form AGT's integration guides write ({@code rule_id}, a condition naming a
     * tool and a host-provided {@code custom_check}), beside 4.1.0's {@code {field, operator, value}}.
     */
    private static final Set<String> HOST_CHECK_CONDITION_FIELDS = Set.of("tool", "custom_check");
    private static final Set<String> RULE_FIELDS = Set.of("name", "rule_id", "description", "condition", "action", "priority", "message",
            "override", "dynamic_condition");
    /** Defaults AGT reads but a gateway cannot enforce: LLM budgets and sandbox settings. */
    private static final Set<String> UNENFORCED_DEFAULTS = Set.of("max_tokens", "confidence_threshold",
            "max_cpu", "max_memory_mb", "timeout_seconds", "network_default");

    private AgtDocumentLoader() {
    }

    /**
     * Whether a document is written in AGT's format, decided from its rules' shapes ({@link #ruleShape}): a rule only AGT
     * writes ({@code field}/{@code operator} or {@code custom_check} in its condition, {@code rule_id}, {@code conditions},
     * {@code dynamic_condition}, {@code override}), or an AGT-only top-level key with no rule only the native format
     * writes. ({@code action: block} alone is not enough: in a native document it is a mistake.) A document mixing the two
     * is refused by {@link #mixedFormats}; this answers for it as for an AGT one.
     */
    static boolean looksLikeAgt(JsonNode root) {
        Shapes shapes = shapes(root);
        return shapes.agtRule != null || (shapes.agtKey != null || defaultsWithoutAction(root)) && shapes.nativeRule == null;
    }

    /** Keys of {@code defaults} only AGT's {@code PolicyDefaults} has (a native document's defaults are action and message). */
    private static final Set<String> AGT_ONLY_DEFAULTS = Set.of("max_tool_calls", "max_tokens", "confidence_threshold",
            "max_cpu", "max_memory_mb", "timeout_seconds", "network_default");

    /**
     * What in {@code defaults} only AGT writes, as a pointer-like name ({@code defaults.max_tool_calls}, {@code defaults.action}
     * for {@code block}), or null. Review CC: {@code defaults: {action: block}} or {@code {action: allow, max_tool_calls: 0}}
     * with no rule, or only {@code {tool: X}} rules, was read as native and refused with the native format's messages.
     */
    private static String agtDefaultsKey(JsonNode root) {
        JsonNode defaults = root.get("defaults");
        if (defaults == null || !defaults.isObject()) {
            return null;
        }
        for (Iterator<String> it = defaults.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (AGT_ONLY_DEFAULTS.contains(field)) {
                return "defaults." + field;
            }
        }
        JsonNode action = defaults.get("action");
        return action != null && action.isTextual() && "block".equals(action.textValue()) ? "defaults.action" : null;
    }

    /**
     * {@code defaults: {}} (AGT's {@code PolicyDefaults()}, which denies) or defaults without an action: a native document
     * needs one, so this is AGT's reading, but only for a document no rule of which is native (a native one keeps its
     * own message, "action is required").
     */
    private static boolean defaultsWithoutAction(JsonNode root) {
        JsonNode defaults = root.get("defaults");
        return defaults != null && defaults.isObject() && !defaults.has("action");
    }

    /**
     * Adds a load error and answers true for a document written in both formats: an AGT rule beside a native one, or an
     * AGT-only top-level key ({@code metadata}, {@code scope}...) in a document whose rules are native. Read as either
     * format, part of it would mean something else than its author wrote (a native {@code tool: "shell_*"} read as AGT's
     * exact tool name never matches).
     */
    static boolean mixedFormats(JsonNode root, Problems problems) {
        Shapes shapes = shapes(root);
        if (shapes.nativeRule == null) {
            return false;
        }
        if (shapes.agtRule != null) {
            problems.add(shapes.nativeRule, "this document mixes formats: " + shapes.agtRule + " is an AGT rule (" + shapes.agtWhy
                    + "), this one native (" + shapes.nativeWhy + "); write every rule in one format (see policy/README.md, AGT documents)");
            return true;
        }
        if (shapes.agtKey != null) {
            problems.add("/" + shapes.agtKey.replace('.', '/'), "'" + shapes.agtKey + "' is " + (shapes.agtKey.startsWith("defaults.")
                    ? "a default" : "a top-level key") + " only AGT documents have, but the rules are"
                    + " native (" + shapes.nativeRule + ": " + shapes.nativeWhy + "): remove it (a native document has "
                    + String.join(", ", PolicyLoader.DOCUMENT_FIELDS.stream().sorted().toList())
                    + "), or write the rules in AGT's form; read as AGT, the rules would mean something else");
            return true;
        }
        return false;
    }

    /**
     * What shows a document is written in AGT's .NET SDK format ({@code apiVersion: governance.toolkit/v1},
     * {@code default_action}, expression conditions such as {@code "tool_name == 'web_search'"}), or null. Review CC: such
     * documents (the .NET quickstart, the maf-integration .NET policies, agent-mesh's mcp-proxy policies) were refused with
     * the native format's complaints, never saying which format they are in.
     */
    static String dotnetEvidence(JsonNode root) {
        if (shapes(root).agtRule != null) {
            // Python-format rules under a .NET header (openshell-governed's sandbox-policy.yaml): AGT's Python schema ignores
            // apiVersion and loads the rules, and so does the loader (apiVersion is then an ignored key, with a warning).
            return null;
        }
        JsonNode api = root.get("apiVersion");
        if (api != null && api.isTextual() && api.textValue().startsWith("governance.toolkit")) {
            return "apiVersion: " + api.textValue();
        }
        if (root.has("default_action")) {
            return "default_action";
        }
        JsonNode rules = root.get("rules");
        if (rules != null && rules.isArray()) {
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).path("condition").isTextual()) {
                    return "an expression condition at /rules/" + i + " (\"" + rules.get(i).get("condition").textValue() + "\")";
                }
            }
        }
        return null;
    }

    /** The load error (or import refusal) for a document in AGT's .NET format ({@link #dotnetEvidence}). */
    static String dotnetRefusal(String evidence) {
        String format = "default_action".equals(evidence)
                ? "is not AGT's Python format: default_action is the key of AGT's .NET SDK policies (and of agent-mesh's and"
                + " Flowise's), a format"
                : "is AGT's .NET SDK policy format (" + evidence + "), which";
        return "this document " + format + " Tollgate does not read: only AGT's Python format (agent_os.policies: defaults:"
                + " {action: ...}, conditions {field, operator, value}) and Tollgate's own load; rewrite it in one of them (see"
                + " policy/README.md, AGT documents)";
    }

    /** The first rule of each format (its pointer and the key that tells) and the first AGT-only top-level key. */
    private record Shapes(String agtKey, String agtRule, String agtWhy, String nativeRule, String nativeWhy) {
    }

    private static Shapes shapes(JsonNode root) {
        String agtKey = null;
        for (Iterator<String> it = root.fieldNames(); it.hasNext() && agtKey == null; ) {
            String field = it.next();
            if (AGT_ONLY_FIELDS.contains(field)) {
                agtKey = field;
            }
        }
        if (agtKey == null) {
            agtKey = agtDefaultsKey(root);
        }
        String agtRule = null;
        String agtWhy = null;
        String nativeRule = null;
        String nativeWhy = null;
        JsonNode rules = root.get("rules");
        if (rules != null && rules.isArray()) {
            for (int i = 0; i < rules.size(); i++) {
                JsonNode rule = rules.get(i);
                if (!rule.isObject()) {
                    continue;
                }
                String agt = agtShape(rule);
                if (agt != null && agtRule == null) {
                    agtRule = "/rules/" + i;
                    agtWhy = agt;
                }
                String nativeShape = agt == null ? nativeShape(rule) : null;
                if (nativeShape != null && nativeRule == null) {
                    nativeRule = "/rules/" + i;
                    nativeWhy = nativeShape;
                }
            }
        }
        return new Shapes(agtKey, agtRule, agtWhy, nativeRule, nativeWhy);
    }

    /** What makes a rule AGT's (a key of its, or of its condition, no native rule has), or null. */
    private static String agtShape(JsonNode rule) {
        JsonNode condition = rule.get("condition");
        if (condition != null && condition.isObject()) {
            for (String key : List.of("field", "operator", "custom_check")) {
                if (condition.has(key)) {
                    return "condition key '" + key + "'";
                }
            }
        }
        for (String key : List.of("rule_id", "dynamic_condition", "override")) {
            if (rule.has(key)) {
                return "rule key '" + key + "'";
            }
        }
        JsonNode conditions = rule.get("conditions");
        if (conditions != null && conditions.isArray() && conditions.size() > 0 && conditions.get(0).has("field")) {
            return "rule key 'conditions'";
        }
        return null;
    }

    /**
     * What makes a rule native (a condition key AGT has not, a tool glob AGT would compare as a name, a rule key or action
     * only native rules have), or null: {@code condition: {tool: shell_exec}} reads alike in both.
     */
    private static String nativeShape(JsonNode rule) {
        if (rule.has("approval")) {
            return "rule key 'approval'";
        }
        JsonNode action = rule.get("action");
        if (action != null && action.isTextual() && Set.of("approve", "redact").contains(action.textValue())) {
            return "action '" + action.textValue() + "'";
        }
        JsonNode condition = rule.get("condition");
        if (condition == null || !condition.isObject()) {
            return null;
        }
        for (Iterator<String> it = condition.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!"tool".equals(key) && ConditionCompiler.KEYS.contains(key)) {
                return "condition key '" + key + "'";
            }
        }
        JsonNode tool = condition.get("tool");
        if (tool != null && (!tool.isTextual() || hasGlob(tool.textValue()))) {
            return "condition tool " + tool + " (a glob)";
        }
        return null;
    }

    private static boolean hasGlob(String name) {
        return name.indexOf('*') >= 0 || name.indexOf('?') >= 0;
    }

    /** The compiled document, or null when {@code problems} holds errors. */
    static CompiledPolicy compile(JsonNode root, Problems problems, Problems warnings, CheckRegistry checks) {
        ConditionCompiler hostChecks = new ConditionCompiler(checks, problems);
        warnUnknown(root, "", DOCUMENT_FIELDS, warnings);
        // AGT's schema refuses a document whose name, version or description is not a string (`version: 1.0`).
        strings(root, "", List.of("name", "version", "description"), problems);
        String name = root.path("name").isTextual() && !root.get("name").textValue().isBlank() ? root.get("name").textValue() : null;
        if (name == null && (!root.has("name") || root.get("name").isTextual())) {
            // AGT names such a document "unnamed"; routes select policies by name, so one is required here.
            problems.add("/name", "name is required (routes select a policy by its name)");
        }
        String version = root.path("version").isTextual() ? root.get("version").textValue() : null;
        Mode mode = PolicyLoader.mode(root, problems);
        if (mode == Mode.SHADOW) {
            // Deliberate (a way to try an AGT document out), but AGT drops the key and enforces: say so (review CC, low).
            warnings.add("/mode", "mode shadow is Tollgate's key, which AGT ignores (it enforces this document): here every"
                    + " call is let through and its decision only recorded");
        }
        Action defaultAction = defaults(root, problems, warnings);
        notEnforced(root, warnings);
        hostChecks.inPolicy(name);
        List<CompiledRule> rules = rules(root, name, mode, problems, warnings, hostChecks);
        // Order 0: the cap runs before every rule of the file, a rule of priority Integer.MAX_VALUE included (AGT's host
        // checks it before the document's rules); the file's rules are ordered from 1.
        CompiledRule cap = maxToolCalls(root, name, mode, problems, hostChecks, 0);
        if (cap != null) {
            rules = new ArrayList<>(rules);
            rules.add(cap);
        }
        if (!problems.isEmpty()) {
            return null;
        }
        Set<String> used = new java.util.TreeSet<>(hostChecks.checksUsed());
        if (readsField(root.path("rules"), AgtCondition.TOOL_CALL_COUNT)) {
            used.add(AgtCondition.TOOL_CALL_COUNT); // the gateway counts runs' tool calls only for policies that read the count
        }
        return new CompiledPolicy(name, version, mode, defaultAction, null, rules, used, warnings.list());
    }

    /** Whether any condition under {@code node} names {@code field} ({@code {field: tool_call_count, ...}}). */
    private static boolean readsField(JsonNode node, String field) {
        if (node.isObject() && field.equals(node.path("field").asText(null))) {
            return true;
        }
        for (JsonNode child : node) {
            if (readsField(child, field)) {
                return true;
            }
        }
        return false;
    }

    private static Action defaults(JsonNode root, Problems problems, Problems warnings) {
        JsonNode defaults = root.get("defaults");
        if (defaults == null || defaults.isNull() || (defaults.isObject() && !defaults.has("action"))) {
            // AGT 5.0.0 denies (PolicyDefaults.action = DENY, as its TS and .NET SDKs); 4.1.0 allowed. Fail closed.
            warnings.add(defaults == null || defaults.isNull() ? "" : "/defaults",
                    "no defaults.action: calls no rule matches are denied, as in AGT 5.0.0 (AGT 4.1.0 allowed them);"
                            + " to keep 4.1.0's behaviour write `defaults: {action: allow}`");
            return Action.DENY;
        }
        if (!defaults.isObject()) {
            problems.add("/defaults", "defaults is a mapping with action");
            return Action.DENY;
        }
        for (Iterator<String> it = defaults.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if ("max_tool_calls".equals(field)) {
                continue; // enforced: see maxToolCalls
            }
            if (UNENFORCED_DEFAULTS.contains(field)) {
                warnings.add("/defaults/" + field, "not enforced by the gateway (an LLM or sandbox setting); ignored");
            } else if (!"action".equals(field)) {
                warnings.add("/defaults/" + field, "not an AGT 5.0.0 default; ignored");
            }
        }
        Action action = action(defaults, "/defaults", problems);
        return action == null ? Action.DENY : action;
    }

    /** The name of the rule {@code defaults.max_tool_calls} becomes (a name no AGT rule can clash with: it has a dot). */
    static final String MAX_TOOL_CALLS_RULE = "defaults.max_tool_calls";

    /**
     * {@code defaults.max_tool_calls: N} caps the tool calls of one agent run, which the gateway can count: a
     * rule ahead of every other denies a {@code tools/call}, or an A2A message send (a call of the skill it declares, which
     * AGT's fields read as the tool), once the caller's AXID run has made N of them (a
     * rate_limit bucket of N per run that gives back one call a day, so the cap holds for any run shorter than
     * that; a run is named within its caller: tenant, agent, sub-user, SPIFFE ID, see MaxToolCalls.PER). Counted per gateway, or across replicas when rate limits
     * are kept in Redis.
     */
    private static CompiledRule maxToolCalls(JsonNode root, String policyName, Mode mode, Problems problems, ConditionCompiler compiler,
                                             int order) {
        JsonNode cap = root.path("defaults").get("max_tool_calls");
        if (cap == null || cap.isNull()) {
            return null;
        }
        // As pydantic's lax int reads it (3, "3", 3.0); 0 is AGT v4's "no tool call at all" (base.py accepts >= 0).
        // A Python int of any size: past 2^31-1 calls the cap is the same as 2^31-1 (a bucket that gives back one a day).
        java.math.BigInteger exact = cap.isBoolean() ? null : AgtPriority.exact(cap);
        Integer n = exact == null ? null : exact.min(java.math.BigInteger.valueOf(Integer.MAX_VALUE)).max(java.math.BigInteger.valueOf(-1)).intValue();
        if (n == null || n < 0) {
            problems.add("/defaults/max_tool_calls", "max_tool_calls is a non-negative integer, got '" + cap.asText() + "'");
            return null;
        }
        com.fasterxml.jackson.databind.node.JsonNodeFactory f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        com.fasterxml.jackson.databind.node.ObjectNode condition = f.objectNode();
        com.fasterxml.jackson.databind.node.ArrayNode all = condition.putArray("all");
        dev.tollgate.policy.agt.MaxToolCalls.METHODS.forEach(all.addObject().putArray("method")::add);
        if (n > 0) {
            com.fasterxml.jackson.databind.node.ObjectNode args = all.addObject().putObject("check").put("name", "rate_limit").putObject("args");
            args.put("rate", 1).put("period", "24h").put("burst", n);
            dev.tollgate.policy.agt.MaxToolCalls.PER.forEach(args.putArray("per")::add);
        }
        Condition compiled = compiler.compileRule(MAX_TOOL_CALLS_RULE, condition, "/defaults/max_tool_calls");
        if (compiled == null) {
            return null;
        }
        return CompiledRule.of(MAX_TOOL_CALLS_RULE, "AGT defaults.max_tool_calls", Integer.MAX_VALUE, order, compiled, Action.DENY,
                "this run has made its " + n + " tool calls (defaults.max_tool_calls)", policyName, mode);
    }

    private static void notEnforced(JsonNode root, Problems warnings) {
        if (root.has("network_allowlist")) {
            warnings.add("/network_allowlist", "a sandbox egress list: not enforced by the gateway; ignored");
        }
        if (root.has("tool_allowlist")) {
            warnings.add("/tool_allowlist", "not enforced by the gateway; write a rule denying tool_name not_in [...] to enforce it");
        }
        if (root.has("scope")) {
            warnings.add("/scope", "folder scoping has no meaning in a gateway; the document applies to every call on its routes");
        }
        if (root.has("inherit")) {
            warnings.add("/inherit", "folder inheritance has no meaning in a gateway; ignored");
        }
        if (root.has("sandbox_mounts")) {
            warnings.add("/sandbox_mounts", "a sandbox setting (host directories mounted into AGT's sandbox): not enforced by the"
                    + " gateway; ignored");
        }
    }

    /**
     * Review CF: A2A sends are {@code action_type: invoke_agent} (as AGT's agent-invocation host says), so a condition
     * naming {@code tool_call} and not {@code invoke_agent} no longer holds on them; a deny written for every tool call
     * (or the deny half of an allow-list) then lets A2A sends through. Said at load, where a rule author reads it.
     */
    private static void warnToolCallWithoutInvokeAgent(JsonNode condition, String at, String rule, Problems warnings) {
        if (condition.isArray()) {
            for (int i = 0; i < condition.size(); i++) {
                warnToolCallWithoutInvokeAgent(condition.get(i), at + "/" + i, rule, warnings);
            }
            return;
        }
        if (!condition.isObject()) {
            return;
        }
        if ("action_type".equals(condition.path("field").asText(null))) {
            String value = condition.path("value").toString();
            if (value.contains("tool_call") && !value.contains("invoke_agent")) {
                warnings.add(at, "rule '" + rule + "' tests action_type tool_call, which MCP tools/call is; an A2A message send is"
                        + " invoke_agent (AGT's agent-invocation host), so on an a2a route this condition does not hold: write"
                        + " operator in, value [tool_call, invoke_agent] for both");
            }
            return;
        }
        condition.fields().forEachRemaining(child -> warnToolCallWithoutInvokeAgent(child.getValue(), at + "/" + child.getKey(), rule,
                warnings));
    }

    private static List<CompiledRule> rules(JsonNode root, String policyName, Mode mode, Problems problems, Problems warnings,
                                            ConditionCompiler hostChecks) {
        JsonNode rules = root.get("rules");
        List<CompiledRule> out = new ArrayList<>();
        if (rules == null || rules.isNull()) {
            return out;
        }
        if (!rules.isArray()) {
            problems.add("/rules", "rules is a list");
            return out;
        }
        Set<String> names = new HashSet<>();
        // Each field read from the caller: the first condition reading it, then the rules that do.
        java.util.Map<String, List<String>> callerChosen = new java.util.LinkedHashMap<>();
        int[] priorities = priorities(rules, problems, warnings);
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            String at = "/rules/" + i;
            if (!rule.isObject()) {
                problems.add(at, "a rule is a mapping with name, condition and action");
                continue;
            }
            warnUnknownRuleFields(rule, at, problems, warnings);
            strings(rule, at, List.of("name", "rule_id", "description", "message"), problems);
            // The integration guides' form names a rule by rule_id.
            String nameField = rule.has("name") || !rule.has("rule_id") ? "name" : "rule_id";
            String name = rule.path(nameField).isTextual() && !rule.get(nameField).textValue().isBlank() ? rule.get(nameField).textValue() : null;
            if (name == null && (!rule.has("name") || rule.get("name").isTextual())) {
                problems.add(at + (rule.has("id") ? "/id" : ""), rule.has("id")
                        ? "AGT 4.1.0 rules have a name, not an id (AGT refuses this rule too): rename id to name"
                        : "name is required");
            } else if (!names.add(name)) {
                // AGT allows it, but decisions and audit name the rule: two with one name cannot be told apart.
                problems.add(at + "/name", "duplicate rule name '" + name + "'");
            }
            Integer priority = priorities[i] == NO_PRIORITY ? null : priorities[i];
            warnToolCallWithoutInvokeAgent(rule.path("condition"), at + "/condition", name, warnings);
            JsonNode field = rule.path("condition").path("field");
            if (field.isTextual() && AgtCondition.callerChosen(field.textValue(), List.of()) != null) {
                callerChosen.computeIfAbsent(field.textValue(), f -> new ArrayList<>(List.of(at + "/condition/field")))
                        .add(name == null ? "#" + i : name);
            }
            Condition condition = isHostCheckForm(rule.get("condition"))
                    ? hostCheckCondition(rule.get("condition"), name, at + "/condition", problems, hostChecks)
                    : condition(rule, at, problems, warnings);
            if (condition != null && rule.hasNonNull("dynamic_condition")) {
                condition = AgtRuleWindow.and(condition, rule.get("dynamic_condition"), at + "/dynamic_condition", problems, warnings,
                        hostChecks);
            }
            Action action = action(rule, at, problems);
            if (rule.path("override").asBoolean(false)) {
                warnings.add(at + "/override", "override only matters in AGT's folder merge; ignored");
            }
            String description = rule.hasNonNull("description") ? rule.get("description").asText() : null;
            String message = rule.hasNonNull("message") ? rule.get("message").asText() : null;
            if (name != null && priority != null && condition != null && action != null) {
                out.add(CompiledRule.of(name, description, priority, i + 1, condition, action, message, policyName, mode));
            }
        }
        callerChosen.forEach((field, where) -> warnings.add(where.get(0), AgtCondition.callerChosen(field, where.subList(1, where.size()))));
        return out;
    }

    private static void warnUnknownRuleFields(JsonNode rule, String at, Problems problems, Problems warnings) {
        for (Iterator<String> it = rule.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if ("conditions".equals(field)) {
                problems.add(at + "/conditions", "AGT 4.1.0 rules have one condition {field, operator, value}, not a"
                        + " conditions list (AGT refuses this rule too): write one rule per condition, or use Tollgate's all:/any:");
            } else if (!"id".equals(field) && !RULE_FIELDS.contains(field)) {
                warnings.add(at + "/" + field, "not an AGT 5.0.0 rule field; ignored");
            }
        }
    }

    private static final int NO_PRIORITY = Integer.MIN_VALUE;

    /**
     * Each rule's priority ({@link #NO_PRIORITY} for one refused): AGT's is a Python int of any size, read by pydantic's lax
     * mode ("100", 100.0, "1_0"). When one is beyond a Java int (review CC: 10000000000 was refused as "not an integer"),
     * every rule takes its rank among the document's priorities instead, which keeps AGT's order and its ties, with a
     * warning naming the rules whose priority is shown changed.
     */
    private static int[] priorities(JsonNode rules, Problems problems, Problems warnings) {
        java.math.BigInteger[] exact = new java.math.BigInteger[rules.size()];
        boolean beyond = false;
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            if (!rule.isObject()) {
                continue;
            }
            JsonNode p = rule.get("priority");
            exact[i] = AgtPriority.exact(p);
            if (exact[i] == null) {
                problems.add("/rules/" + i + "/priority", "priority is an integer (higher runs first), got "
                        + (p.isNull() ? "null (AGT refuses it too; omit priority for 0)" : "'" + p.asText() + "'"));
            } else if (exact[i].bitLength() > 31) {
                beyond = true;
            }
        }
        java.util.TreeSet<java.math.BigInteger> distinct = new java.util.TreeSet<>();
        for (java.math.BigInteger p : exact) {
            if (p != null) {
                distinct.add(p);
            }
        }
        List<java.math.BigInteger> ranks = new ArrayList<>(distinct);
        int[] out = new int[rules.size()];
        for (int i = 0; i < rules.size(); i++) {
            if (exact[i] == null) {
                out[i] = NO_PRIORITY;
            } else if (!beyond) {
                out[i] = exact[i].intValue();
            } else {
                out[i] = ranks.indexOf(exact[i]);
                if (exact[i].bitLength() > 31) {
                    warnings.add("/rules/" + i + "/priority", "priority " + exact[i] + " is beyond a 32-bit integer: every rule of"
                            + " this document is ordered by its rank among the priorities (" + exact[i] + " is " + out[i]
                            + "), AGT's order and ties unchanged");
                }
            }
        }
        return out;
    }

    private static boolean isHostCheckForm(JsonNode condition) {
        return condition != null && condition.isObject() && !condition.has("field") && !condition.has("operator")
                && (condition.has("custom_check") || condition.has("tool"));
    }

    /**
     * {@code condition: {tool: synthesize_report, custom_check: waxell_budget_check}}: every key given must hold.
     * {@code tool} is the tool name exactly (AGT compares names; a {@code *} or {@code ?} is a load error rather than a
     * name no tool has); {@code custom_check} names a check
     * bound in the gateway's configuration ({@code policies.custom-checks}) to a registered check and its
     * arguments. An unbound name is a load error: a check that silently never held would allow the call.
     */
    private static Condition hostCheckCondition(JsonNode c, String rule, String where, Problems problems, ConditionCompiler compiler) {
        List<Condition> parts = new ArrayList<>();
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!HOST_CHECK_CONDITION_FIELDS.contains(field)) {
                problems.add(where + "/" + field, "unknown condition field (this form takes tool and custom_check)");
                return null;
            }
        }
        JsonNode tool = c.get("tool");
        if (tool != null) {
            if (!tool.isTextual() || tool.textValue().isBlank()) {
                problems.add(where + "/tool", "tool is the tool's name");
                return null;
            }
            if (hasGlob(tool.textValue())) {
                // AGT compares the name exactly: "shell_*" would hold only for a tool named so, never for shell_exec.
                problems.add(where + "/tool", "tool is the tool's name exactly in an AGT document (AGT compares names, no globs):"
                        + " '" + tool.textValue() + "' would match only a tool of that very name; name each tool, or write the"
                        + " document in the native format, where tool is a glob");
                return null;
            }
            parts.add(AgtCondition.compile("tool_name", "eq", tool));
        }
        JsonNode custom = c.get("custom_check");
        if (custom != null) {
            if (!custom.isTextual()) {
                problems.add(where + "/custom_check", "custom_check is the name of a check bound in the gateway's configuration");
                return null;
            }
            CheckBinding binding = compiler.registry().binding(custom.textValue()).orElse(null);
            if (binding == null) {
                problems.add(where + "/custom_check", "custom check '" + custom.textValue() + "' is not bound: add it to "
                        + "policies.custom-checks in the gateway configuration (bound: " + compiler.registry().bindingNames() + ")");
                return null;
            }
            com.fasterxml.jackson.databind.node.ObjectNode check = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            check.putObject("check").put("name", binding.check()).set("args", binding.args());
            Condition bound = compiler.compileRule(rule, check, where + "/custom_check");
            if (bound == null) {
                return null;
            }
            parts.add(bound);
        }
        return parts.size() == 1 ? parts.get(0) : new AllOf(parts);
    }

    private static AgtCondition condition(JsonNode rule, String at, Problems problems, Problems warnings) {
        JsonNode c = rule.get("condition");
        if (c == null || c.isNull()) {
            if (!rule.has("conditions")) {
                problems.add(at, "condition is required: {field, operator, value}");
            }
            return null;
        }
        String where = at + "/condition";
        if (!c.isObject() || !c.has("field") || !c.has("operator") || !c.has("value")) {
            problems.add(where, "an AGT condition is a mapping with field, operator and value");
            return null;
        }
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!Set.of("field", "operator", "value").contains(field)) {
                // AGT ignores it; a misspelt key in a condition is too likely a mistake in what is checked.
                problems.add(where + "/" + field, "unknown condition field (expected field, operator, value)");
            }
        }
        JsonNode field = c.get("field");
        JsonNode operator = c.get("operator");
        if (!field.isTextual() || field.textValue().isBlank()) {
            problems.add(where + "/field", "field is the name of a context value, e.g. tool_name");
            return null;
        }
        if (!operator.isTextual()) {
            problems.add(where + "/operator", "operator is one of " + String.join(", ", AgtCondition.OPERATORS));
            return null;
        }
        String lookalike = AgtCondition.speltLikeGatewayField(field.textValue());
        if (lookalike != null) {
            warnings.add(where + "/field", lookalike);
        }
        try {
            return AgtCondition.compile(field.textValue(), operator.textValue(), c.get("value"));
        } catch (IllegalArgumentException e) {
            String pointer = AgtCondition.OPERATORS.contains(operator.textValue()) ? where + "/value" : where + "/operator";
            problems.add(pointer, e.getMessage());
            return null;
        }
    }

    private static Action action(JsonNode node, String at, Problems problems) {
        JsonNode value = node.get("action");
        if (value == null || value.isNull()) {
            problems.add(at + (node.has("action") ? "/action" : ""), "action is required (allow, deny, audit or block)");
            return null;
        }
        // As AGT's schema: the lower-case names only (`DENY` is refused there too).
        return switch (value.isTextual() ? value.textValue() : "") {
            case "allow" -> Action.ALLOW;
            case "deny", "block" -> Action.DENY;
            case "audit" -> Action.AUDIT;
            // Declared by AGT without a mechanism behind it; the gateway holds the call for a person (default terms).
            case "require_approval" -> Action.APPROVE;
            default -> {
                problems.add(at + "/action", "action is allow, deny, audit or block (AGT 5.0.0; require_approval, from AGT's .NET SDK,"
                        + " is read as approve), got '" + value.asText() + "'");
                yield null;
            }
        };
    }

    /** Fields AGT's schema types as {@code str}: present, they must be strings (null and numbers are refused there). */
    private static void strings(JsonNode node, String at, List<String> fields, Problems problems) {
        for (String field : fields) {
            JsonNode value = node.get(field);
            if (value != null && !value.isTextual()) {
                problems.add(at + "/" + field, field + " is a string in AGT 4.1.0 (AGT refuses this document too), got "
                        + (value.isNull() ? "null" : "'" + value.asText() + "'") + ": quote it");
            }
        }
    }

    private static void warnUnknown(JsonNode node, String at, Set<String> known, Problems warnings) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                warnings.add(at + "/" + field, "not an AGT 5.0.0 field; ignored");
            }
        }
    }
}
