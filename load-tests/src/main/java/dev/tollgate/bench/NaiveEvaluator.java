package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.PolicyRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The baseline the compiled evaluator is measured against: the parsed YAML kept as a tree, rules sorted by
 * priority once, and every call walks every rule in order, interpreting each condition from its JSON tree
 * (string switch on the key, glob matched by a recursive matcher, JSON pointer parsed on each use, regex
 * compiled on each use). No index, no precompilation: what a straightforward rules engine does.
 *
 * <p>Supports the subset of the grammar the benchmark documents use (all, any, not, protocol, method, tool,
 * resource, prompt, arg, claim, capability); anything else throws, which a benchmark would notice.
 */
final class NaiveEvaluator {

    /** What the naive evaluator decides: the action and the deciding rule (null for the default). */
    record Outcome(Action action, String rule) {
    }

    private record Rule(String name, int priority, int order, JsonNode condition, Action action, Outcome outcome) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Rule> rules;
    private final Outcome defaultOutcome;

    NaiveEvaluator(String yaml) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        List<Rule> list = new ArrayList<>();
        JsonNode ruleNodes = root.path("rules");
        for (int i = 0; i < ruleNodes.size(); i++) {
            JsonNode r = ruleNodes.get(i);
            Action action = Action.valueOf(r.get("action").asText().toUpperCase(Locale.ROOT));
            String name = r.get("name").asText();
            list.add(new Rule(name, r.path("priority").asInt(0), i, r.get("condition"), action, new Outcome(action, name)));
        }
        list.sort(Comparator.comparingInt(Rule::priority).reversed().thenComparingInt(Rule::order));
        this.rules = list;
        this.defaultOutcome = new Outcome(Action.valueOf(root.path("defaults").path("action").asText("deny").toUpperCase(Locale.ROOT)), null);
    }

    Outcome evaluate(PolicyRequest request) {
        for (Rule rule : rules) {
            boolean matched;
            try {
                matched = holds(rule.condition(), request);
            } catch (RuntimeException e) {
                return new Outcome(Action.DENY, rule.name());
            }
            if (matched) {
                return rule.outcome();
            }
        }
        return defaultOutcome;
    }

    private static boolean holds(JsonNode condition, PolicyRequest request) {
        Iterator<String> keys = condition.fieldNames();
        String key = keys.next();
        JsonNode value = condition.get(key);
        CallDescription call = request.call();
        switch (key) {
            case "all":
                for (JsonNode c : value) {
                    if (!holds(c, request)) {
                        return false;
                    }
                }
                return true;
            case "any":
                for (JsonNode c : value) {
                    if (holds(c, request)) {
                        return true;
                    }
                }
                return false;
            case "not":
                return !holds(value, request);
            case "protocol":
                return anyGlob(value, call.protocol());
            case "method":
                return anyGlob(value, call.method());
            case "tool":
                return anyGlob(value, call.toolName());
            case "resource":
                return anyGlob(value, call.resourceUri());
            case "prompt":
                return anyGlob(value, call.promptName());
            case "capability":
                return request.identity().capabilities().contains(value.asText());
            case "arg": {
                JsonNode args = call.arguments();
                JsonNode found = args == null ? null : args.at(value.get("path").asText());
                return operator(value, "path", found);
            }
            case "claim": {
                Object claim = request.identity().claim(value.get("name").asText());
                JsonNode found = claim == null ? null : claim instanceof String text ? TextNode.valueOf(text) : JSON.valueToTree(claim);
                return operator(value, "name", found);
            }
            default:
                throw new IllegalStateException("naive evaluator does not interpret " + key);
        }
    }

    private static boolean operator(JsonNode spec, String keyField, JsonNode value) {
        boolean present = value != null && !value.isMissingNode() && !value.isNull();
        Iterator<String> fields = spec.fieldNames();
        while (fields.hasNext()) {
            String op = fields.next();
            if (op.equals(keyField)) {
                continue;
            }
            JsonNode operand = spec.get(op);
            switch (op) {
                case "eq":
                    return present && value.equals(operand);
                case "ne":
                    return !present || !value.equals(operand);
                case "in":
                    return present && contains(operand, value);
                case "not_in":
                    return !present || !contains(operand, value);
                case "exists":
                    return present == operand.asBoolean();
                case "matches":
                    return present && Pattern.compile(operand.asText()).matcher(value.asText()).find();
                case "contains":
                    return present && (value.isArray() ? contains(value, operand) : value.asText().contains(operand.asText()));
                case "gt":
                    return present && value.isNumber() && value.doubleValue() > operand.doubleValue();
                case "gte":
                    return present && value.isNumber() && value.doubleValue() >= operand.doubleValue();
                case "lt":
                    return present && value.isNumber() && value.doubleValue() < operand.doubleValue();
                case "lte":
                    return present && value.isNumber() && value.doubleValue() <= operand.doubleValue();
                default:
                    throw new IllegalStateException(op);
            }
        }
        throw new IllegalArgumentException("no operator");
    }

    private static boolean contains(JsonNode list, JsonNode value) {
        for (JsonNode v : list) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyGlob(JsonNode patterns, String value) {
        if (value == null) {
            return false;
        }
        if (patterns.isArray()) {
            for (JsonNode p : patterns) {
                if (glob(p.asText(), 0, value, 0)) {
                    return true;
                }
            }
            return false;
        }
        return glob(patterns.asText(), 0, value, 0);
    }

    /** {@code *} any run, {@code ?} one character; recursive backtracking. */
    private static boolean glob(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (glob(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || (c != '?' && c != s.charAt(si))) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }
}
