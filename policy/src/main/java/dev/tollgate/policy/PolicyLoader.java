package dev.tollgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.condition.Condition;
import dev.tollgate.policy.condition.ConditionCompiler;
import dev.tollgate.policy.yaml.LocatedYaml;
import dev.tollgate.policy.yaml.Problems;
import dev.tollgate.policy.yaml.PythonYaml;
import dev.tollgate.policy.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Loads policy documents (YAML) and compiles them. A document:
 * <pre>
 * name: tools                # required, unique across the directory; routes refer to it
 * version: 1
 * mode: enforce              # or shadow
 * defaults: {action: deny, message: "..."}
 * rules:
 *   - name: block-shell      # required, unique in the document
 *     priority: 100          # higher first; file order on ties
 *     condition: {tool: "shell_*"}
 *     action: deny           # allow | deny | audit
 *     message: "..."
 * </pre>
 * A document in Microsoft's Agent Governance Toolkit format (rules with {@code {field, operator, value}}
 * conditions) is recognised by its shape and loaded as it is: {@link AgtDocumentLoader}.
 */
public final class PolicyLoader {

    public static final Set<String> DOCUMENT_FIELDS = Set.of("name", "version", "description", "mode", "defaults", "rules");
    public static final Set<String> RULE_FIELDS = Set.of("name", "description", "priority", "condition", "action", "message", "approval");
    public static final Set<String> APPROVAL_FIELDS = Set.of("timeout", "on-timeout", "approvers", "ask-client");
    public static final Set<String> DEFAULTS_FIELDS = Set.of("action", "message");
    static final String TESTS_SUFFIX = ".tests.yaml";

    /** Policy names the gateway records its own decisions under: no document may take one. */
    public static final String RESERVED_NAME_PREFIX = "tollgate-";

    private PolicyLoader() {
    }

    /** Loads every {@code *.yaml}/{@code *.yml} in the directory except test files ({@code *.tests.yaml}). */
    public static PolicyBundle loadDirectory(Path dir, CheckRegistry checks) throws PolicyException {
        List<PolicyProblem> problems = new ArrayList<>();
        Map<String, CompiledPolicy> byName = new TreeMap<>();
        Map<String, String> fileByName = new TreeMap<>();
        for (Path file : policyFiles(dir, problems)) {
            try {
                CompiledPolicy policy = parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), checks);
                String previous = fileByName.putIfAbsent(policy.name(), file.toString());
                if (policy.name().startsWith(RESERVED_NAME_PREFIX)) {
                    // The gateway's own decisions (a schema, pinning or result refusal, a refusal before policy) are recorded
                    // under these names, and replay tells them apart by name: a document so named would pass for one.
                    problems.add(new PolicyProblem(file.toString(), 1, "name", "policy name '" + policy.name() + "': names starting '"
                            + RESERVED_NAME_PREFIX + "' are the gateway's own (tollgate-schema, tollgate-pinning, tollgate-results,"
                            + " tollgate-gateway in audit records); rename the policy"));
                } else if (previous != null) {
                    problems.add(new PolicyProblem(file.toString(), 1, "name", "policy name '" + policy.name() + "' is also used by " + previous));
                } else {
                    byName.put(policy.name(), policy);
                }
            } catch (PolicyException e) {
                problems.addAll(e.problems());
            } catch (IOException e) {
                problems.add(new PolicyProblem(file.toString(), 0, "", "cannot read: " + e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        return new PolicyBundle(byName);
    }

    /** Whether a parsed document is in the Agent Governance Toolkit's format (see {@link AgtDocumentLoader#looksLikeAgt}). */
    public static boolean isAgtDocument(JsonNode root) {
        return root != null && root.isObject() && AgtDocumentLoader.looksLikeAgt(root);
    }

    /** Why a parsed document is in AGT's .NET SDK format, which does not load (a sentence to show), or null. */
    public static String agtDotnetRefusal(JsonNode root) {
        String evidence = root != null && root.isObject() ? AgtDocumentLoader.dotnetEvidence(root) : null;
        return evidence == null ? null : AgtDocumentLoader.dotnetRefusal(evidence);
    }

    /**
     * A policy document's tree as the loader reads it: an AGT-format document as AGT does (PyYAML's YAML 1.1 types,
     * {@link PythonYaml}), any other as {@link LocatedYaml} does. What {@code tollgate import-agt} converts.
     */
    public static JsonNode readDocument(String yamlText) throws YamlSyntaxException {
        return read(yamlText).root();
    }

    /**
     * Native documents are read as YAML 1.2 ({@link LocatedYaml}); an AGT-format one is read again as AGT reads it
     * ({@link PythonYaml}: PyYAML's YAML 1.1, so {@code 1e4} is a string and {@code 1:30} the int 90). A document
     * Jackson refuses outright ({@code .inf}) is still an AGT document when PyYAML reads it as one.
     */
    private static LocatedYaml read(String yamlText) throws YamlSyntaxException {
        LocatedYaml jackson;
        try {
            jackson = LocatedYaml.parse(yamlText, true);
        } catch (YamlSyntaxException refused) {
            LocatedYaml python;
            try {
                python = PythonYaml.parse(yamlText);
            } catch (YamlSyntaxException alsoRefused) {
                throw refused;
            }
            if (isAgtDocument(python.root())) {
                return python;
            }
            throw refused;
        }
        return isAgtDocument(jackson.root()) ? PythonYaml.parse(yamlText) : jackson;
    }

    /**
     * Whether a file of the policy directory is a policy the loader reads (YAML, not a policy's tests, not hidden). A
     * hidden name is an editor's or a system's, not the operator's: Emacs' lock {@code .#p.yaml} (a dangling symlink while
     * p.yaml is edited), macOS' {@code ._p.yaml} (binary metadata copied beside the file), Kubernetes' {@code ..data}.
     * Read, any of them blocked every reload and start-up (review AO).
     */
    public static boolean isPolicyFile(Path file) {
        String n = file.getFileName().toString();
        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.endsWith(TESTS_SUFFIX) && !n.endsWith(".tests.yml") && !isHidden(n);
    }

    /** A name starting with a dot: not a document the operator wrote (see {@link #isPolicyFile}). */
    public static boolean isHidden(String fileName) {
        return fileName.startsWith(".");
    }

    static List<Path> policyFiles(Path dir, List<PolicyProblem> problems) {
        if (!Files.isDirectory(dir)) {
            problems.add(new PolicyProblem(dir.toString(), 0, "", "policy directory does not exist"));
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(PolicyLoader::isPolicyFile).sorted().toList();
        } catch (IOException e) {
            problems.add(new PolicyProblem(dir.toString(), 0, "", "cannot list: " + e.getMessage()));
            return List.of();
        }
    }

    public static CompiledPolicy parse(String yamlText, String file, CheckRegistry checks) throws PolicyException {
        LocatedYaml yaml;
        try {
            yaml = read(yamlText);
        } catch (YamlSyntaxException e) {
            throw new PolicyException(List.of(new PolicyProblem(file, e.line(), "", e.getMessage())));
        }
        Problems problems = new Problems(file, yaml);
        JsonNode root = yaml.root();
        if (root == null || !root.isObject()) {
            problems.add("", "a policy document is a mapping with name, defaults and rules (its keys strings)");
            throw new PolicyException(problems.list());
        }
        String dotnet = AgtDocumentLoader.dotnetEvidence(root);
        if (dotnet != null) {
            problems.add("", AgtDocumentLoader.dotnetRefusal(dotnet));
            throw new PolicyException(problems.list());
        }
        if (AgtDocumentLoader.mixedFormats(root, problems)) {
            throw new PolicyException(problems.list());
        }
        if (AgtDocumentLoader.looksLikeAgt(root)) {
            CompiledPolicy agt = AgtDocumentLoader.compile(root, problems, new Problems(file, yaml), checks);
            if (agt == null) {
                throw new PolicyException(problems.list());
            }
            return agt;
        }
        rejectUnknown(root, "", DOCUMENT_FIELDS, problems);
        String name = requiredText(root, "name", "", problems);
        String version = root.hasNonNull("version") ? root.get("version").asText() : null;
        Mode mode = mode(root, problems);
        JsonNode defaults = root.get("defaults");
        Action defaultAction = Action.DENY;
        String defaultMessage = null;
        if (defaults != null) {
            if (!defaults.isObject()) {
                problems.add("/defaults", "defaults is a mapping with action and message");
            } else {
                rejectUnknown(defaults, "/defaults", DEFAULTS_FIELDS, problems);
                defaultAction = action(defaults, "/defaults", problems);
                defaultMessage = defaults.hasNonNull("message") ? defaults.get("message").asText() : null;
            }
        }
        ConditionCompiler conditions = new ConditionCompiler(checks, problems).inPolicy(name);
        List<CompiledRule> rules = rules(root, name, mode, conditions, problems);
        if (!problems.isEmpty()) {
            throw new PolicyException(problems.list());
        }
        return new CompiledPolicy(name, version, mode, defaultAction, defaultMessage, rules, conditions.checksUsed());
    }

    private static List<CompiledRule> rules(JsonNode root, String policyName, Mode mode, ConditionCompiler conditions,
                                            Problems problems) {
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
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            String at = "/rules/" + i;
            if (!rule.isObject()) {
                problems.add(at, "a rule is a mapping with name, condition and action");
                continue;
            }
            rejectUnknown(rule, at, RULE_FIELDS, problems);
            String name = requiredText(rule, "name", at, problems);
            if (name != null && !names.add(name)) {
                problems.add(at + "/name", "duplicate rule name '" + name + "'");
            }
            int priority = 0;
            if (rule.has("priority")) {
                JsonNode p = rule.get("priority");
                if (!p.isIntegralNumber() || !p.canConvertToInt()) {
                    problems.add(at + "/priority", "priority is an integer (higher runs first)");
                } else {
                    priority = p.intValue();
                }
            }
            Condition condition = null;
            if (!rule.has("condition")) {
                problems.add(at, "condition is required");
            } else {
                condition = conditions.compileRule(name, rule.get("condition"), at + "/condition");
            }
            Action action = rule.has("action") ? action(rule, at, problems) : null;
            if (action == null && !rule.has("action")) {
                problems.add(at, "action is required (allow, deny or audit)");
            }
            String description = rule.hasNonNull("description") ? rule.get("description").asText() : null;
            String message = rule.hasNonNull("message") ? rule.get("message").asText() : null;
            ApprovalTerms approval = approval(rule, action, at, problems);
            if (condition != null && action != null) {
                resultRuleProblems(condition, action, at, problems);
            }
            if (name != null && condition != null && action != null) {
                out.add(CompiledRule.of(name, description, priority, i, condition, action, message, policyName, mode, approval));
            }
        }
        return out;
    }

    /**
     * A result is relayed, dropped or redacted; it cannot wait for a person. Redacting needs detectors to say what to
     * replace, and only a result has something to redact.
     */
    private static void resultRuleProblems(Condition condition, Action action, String at, Problems problems) {
        boolean result = ResultRules.isResultRule(condition);
        if (action == Action.REDACT && !result) {
            problems.add(at + "/action", "redact applies to results only: add direction: result to the rule's condition");
        } else if (action == Action.REDACT && ResultRules.detectors(condition).isEmpty()) {
            problems.add(at + "/action", "redact replaces what detectors find: the condition needs a detector check such as "
                    + "{check: {name: secrets}}");
        } else if (action == Action.APPROVE && result) {
            problems.add(at + "/action", "a result cannot wait for approval: use deny, redact or audit on direction: result");
        }
    }

    static Mode mode(JsonNode root, Problems problems) {
        if (!root.hasNonNull("mode")) {
            return Mode.ENFORCE;
        }
        String value = root.get("mode").asText().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "enforce" -> Mode.ENFORCE;
            case "shadow" -> Mode.SHADOW;
            default -> {
                problems.add("/mode", "mode is enforce or shadow, got '" + value + "'");
                yield Mode.ENFORCE;
            }
        };
    }

    private static Action action(JsonNode node, String at, Problems problems) {
        JsonNode value = node.get("action");
        if (value == null || value.isNull()) {
            problems.add(at + "/action", "action is required (allow, deny, audit or approve)");
            return null;
        }
        return switch (value.asText().toLowerCase(Locale.ROOT)) {
            case "allow" -> Action.ALLOW;
            case "deny" -> Action.DENY;
            case "audit" -> Action.AUDIT;
            // AGT's name for the same action.
            case "approve", "require_approval" -> Action.APPROVE;
            case "redact" -> Action.REDACT;
            default -> {
                problems.add(at + "/action", "action is allow, deny, audit, approve or redact, got '" + value.asText() + "'");
                yield null;
            }
        };
    }

    /** {@code approval: {timeout: 5m, on-timeout: deny, approvers: [...]}}, only on an approve rule. */
    static ApprovalTerms approval(JsonNode rule, Action action, String at, Problems problems) {
        JsonNode node = rule.get("approval");
        if (node == null || node.isNull()) {
            return action == Action.APPROVE ? ApprovalTerms.DEFAULT : null;
        }
        if (action != Action.APPROVE) {
            problems.add(at + "/approval", "approval applies only to a rule with action approve");
            return null;
        }
        if (!node.isObject()) {
            problems.add(at + "/approval", "approval is a mapping with timeout, on-timeout and approvers");
            return ApprovalTerms.DEFAULT;
        }
        rejectUnknown(node, at + "/approval", APPROVAL_FIELDS, problems);
        java.time.Duration timeout = ApprovalTerms.DEFAULT_TIMEOUT;
        if (node.has("timeout")) {
            timeout = dev.tollgate.policy.yaml.Durations.parse(node.get("timeout").asText());
            if (timeout == null || timeout.isZero() || timeout.compareTo(ApprovalTerms.MAX_TIMEOUT) > 0) {
                problems.add(at + "/approval/timeout", "timeout is a duration from 1s to 24h such as 5m, got '" + node.get("timeout").asText() + "'");
                timeout = ApprovalTerms.DEFAULT_TIMEOUT;
            }
        }
        Action onTimeout = Action.DENY;
        if (node.has("on-timeout")) {
            String value = node.get("on-timeout").asText().toLowerCase(Locale.ROOT);
            if (value.equals("allow")) {
                onTimeout = Action.ALLOW;
            } else if (!value.equals("deny")) {
                problems.add(at + "/approval/on-timeout", "on-timeout is deny or allow, got '" + node.get("on-timeout").asText() + "'");
            }
        }
        List<String> approvers = new ArrayList<>();
        JsonNode list = node.get("approvers");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                problems.add(at + "/approval/approvers", "approvers is a list of names");
            } else {
                list.forEach(a -> approvers.add(a.asText()));
            }
        }
        boolean askClient = false;
        if (node.has("ask-client")) {
            if (!node.get("ask-client").isBoolean()) {
                problems.add(at + "/approval/ask-client", "ask-client is true (the calling client's user is asked, by MCP elicitation) or false");
            } else {
                askClient = node.get("ask-client").booleanValue();
            }
        }
        return new ApprovalTerms(timeout, onTimeout, approvers, askClient);
    }

    private static String requiredText(JsonNode node, String field, String at, Problems problems) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.isNull() || value.asText().isBlank()) {
            problems.add(at.isEmpty() && field.isEmpty() ? "" : at + "/" + field, field + " is required");
            return null;
        }
        return value.asText();
    }

    static void rejectUnknown(JsonNode node, String at, Set<String> known, Problems problems) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                problems.add(at + "/" + field, "unknown field (expected one of " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }
}
