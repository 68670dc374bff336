package dev.tollgate.gateway.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.schema.SchemaBuilder.Fields;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.condition.ConditionCompiler;
import dev.tollgate.policy.condition.TextNormalization;
import dev.tollgate.policy.condition.ValueTest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON Schema of a native policy document (policy/README.md). Document, rule, defaults and approval fields come from
 * {@link PolicyLoader}, condition keys from {@link ConditionCompiler#KEYS}, operators from {@link ValueTest#OPERATORS}.
 * Policy files get no environment substitution, so values are plain JSON types here. Documents in the Agent Governance
 * Toolkit's format are not described (they load through their own reader and are better converted with import-agt).
 */
public final class PolicySchema {

    public static final String FILE_NAME = "policy.schema.json";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The keys ConditionCompiler.time accepts (an inline set there, not a constant). */
    private static final Set<String> TIME_FIELDS = Set.of("after", "before", "zone", "days");
    private static final Set<String> CHECK_FIELDS = Set.of("name", "args");

    private PolicySchema() {
    }

    public static GeneratedSchema generate() {
        SchemaBuilder b = new SchemaBuilder();
        ObjectNode condition = condition(b);
        ObjectNode approval = b.mapping("rules[].approval", "Approval terms (action: approve only).", PolicyLoader.APPROVAL_FIELDS, new Fields()
                .add("timeout", "How long the call is held, 1s to 24h. Default 5m.", pattern("^\\d+\\s*(ms|s|m|h)$"))
                .add("on-timeout", "What happens when nobody decides in time.", words("deny", "allow"))
                .add("approvers", "Who may decide (names shown on the admin page and in the webhook).", stringList())
                .add("ask-client", "Also ask the calling client's user, by MCP elicitation on the call's own stream (tools/call only).",
                        type("boolean")));
        ObjectNode rule = b.mapping("rules[]", "One rule: when condition matches, action is taken.", PolicyLoader.RULE_FIELDS, new Fields()
                .add("name", "Unique in the document; named in decisions, metrics and the audit log.", type("string"))
                .add("description", "What the rule is for.", type("string"))
                .add("priority", "Higher runs first; file order breaks ties. Default 0.", type("integer"))
                .add("condition", "When the rule applies: a mapping with exactly one key.", condition)
                .add("action", "allow | deny | audit | approve (held until a person decides).", action())
                .add("message", "Told to the caller when the rule denies.", type("string"))
                .add("approval", "Approval terms.", approval), "name", "condition", "action");
        ObjectNode defaults = b.mapping("defaults", "What happens when no rule matches.", PolicyLoader.DEFAULTS_FIELDS, new Fields()
                .add("action", "Default deny.", action())
                .add("message", "Told to the caller when the default denies.", type("string")));
        ObjectNode root = b.mapping("policy", "A Tollgate policy document (policy/README.md).", PolicyLoader.DOCUMENT_FIELDS, new Fields()
                .add("name", "Unique across the policy directory; routes refer to it with policy: <name>.", type("string"))
                .add("version", "Free-form version, recorded with decisions.", types("string", "number"))
                .add("description", "What the document is for.", type("string"))
                .add("mode", "enforce | shadow (decisions recorded, never blocking).", words("enforce", "shadow"))
                .add("defaults", "Default action.", defaults)
                .add("rules", "The rules.", listOf(rule)), "name");
        return new GeneratedSchema(FILE_NAME, b.document("Tollgate policy document", root),
                b.drift());
    }

    private static ObjectNode condition(SchemaBuilder b) {
        ObjectNode ref = Types.ref("condition");
        ObjectNode patterns = anyOf(type("string").put("minLength", 1), listOf(type("string").put("minLength", 1)).put("minItems", 1));
        ObjectNode conditions = listOf(ref).put("minItems", 1);
        ObjectNode time = b.mapping("time", "A time window.", TIME_FIELDS, new Fields()
                .add("after", "From this time of day, \"HH:MM\".", type("string"))
                .add("before", "Until this time of day, \"HH:MM\".", type("string"))
                .add("zone", "Time zone such as Europe/Paris. Default UTC.", type("string"))
                .add("days", "Days of the week.", listOf(words("mon", "tue", "wed", "thu", "fri", "sat", "sun"))));
        ObjectNode check = b.mapping("check", "A registered check.", CHECK_FIELDS, new Fields()
                .add("name", "argument_size, budget, rate_limit or a name bound in gateway.yaml policies.custom-checks.", type("string"))
                .add("args", "The check's arguments.", type("object")), "name");
        ObjectNode node = b.mapping("condition", "A condition: a mapping with exactly one key.", Set.copyOf(ConditionCompiler.KEYS), new Fields()
                .add("all", "Every listed condition matches.", conditions)
                .add("any", "At least one listed condition matches.", conditions)
                .add("not", "The condition does not match.", ref)
                .add("protocol", "mcp or a2a (glob or list).", patterns)
                .add("method", "JSON-RPC method name, e.g. tools/call (glob or list).", patterns)
                .add("tool", "Tool name (A2A: the declared skill), glob or list.", patterns)
                .add("resource", "Resource URI, glob or list.", patterns)
                .add("prompt", "Prompt name, glob or list.", patterns)
                .add("direction", "Who sent the message, or result: the rule decides results on their way back.",
                        words(dev.tollgate.policy.CallDescription.CLIENT_TO_SERVER, dev.tollgate.policy.CallDescription.SERVER_TO_CLIENT,
                                dev.tollgate.policy.CallDescription.RESULT))
                .add("arg", "A test on one argument: {path: <JSON pointer>, <operator>: <value>}.", valueTest(b, "arg", "path",
                        "JSON pointer into the arguments such as /command."))
                .add("spiffe_id", "The mTLS peer's SPIFFE ID (path glob).", type("string").put("minLength", 1))
                .add("claim", "A test on one AXID claim: {name: tenant|agent|run|sub|parent|tree|<claim>, <operator>: <value>}.",
                        valueTest(b, "claim", "name", "The claim."))
                .add("capability", "The caller's AXID grants this capability.", type("string").put("minLength", 1))
                .add("scope", "The caller's OAuth token carries this scope.", type("string").put("minLength", 1))
                .add("pinned", "Whether the tool's definition is the reviewed one.", type("boolean"))
                .add("time", "Inside a time window {after, before, zone, days}.", time)
                .add("check", "A registered check {name, args}.", check));
        node.put("minProperties", 1).put("maxProperties", 1);
        b.define("condition", node);
        return ref;
    }

    /** {@code {<key>: ..., <operator>: value, normalize?}}: exactly one operator, which a schema can only approximate. */
    private static ObjectNode valueTest(SchemaBuilder b, String where, String key, String keyDescription) {
        Set<String> accepted = new LinkedHashSet<>(List.of(key, "normalize"));
        accepted.addAll(ValueTest.OPERATORS);
        ObjectNode normalizeWord = words(TextNormalization.NAMES.toArray(String[]::new));
        ObjectNode test = b.mapping(where, "The value at " + key + " and one operator.", accepted, new Fields()
                .add(key, keyDescription, type("string"))
                .add("normalize", "Normalise text before comparing: nfkc, case, path, or a list of them.",
                        anyOf(normalizeWord, listOf(normalizeWord).put("minItems", 1)))
                .add("eq", "Equals.", NODES.objectNode())
                .add("ne", "Does not equal.", NODES.objectNode())
                .add("in", "Is one of.", type("array"))
                .add("not_in", "Is none of.", type("array"))
                .add("matches", "Matches the regular expression (linear-time engine).", type("string"))
                .add("contains", "Contains (text or list).", NODES.objectNode())
                .add("gt", "Greater than.", type("number"))
                .add("gte", "Greater than or equal.", type("number"))
                .add("lt", "Less than.", type("number"))
                .add("lte", "Less than or equal.", type("number"))
                .add("exists", "Whether the value is present.", type("boolean")), key);
        test.put("minProperties", 2);
        return test;
    }

    /** Every action the policy module knows (redact only on result rules, which the loader checks). */
    private static ObjectNode action() {
        return words(java.util.Arrays.stream(dev.tollgate.policy.Action.values()).map(a -> a.name().toLowerCase(java.util.Locale.ROOT))
                .toArray(String[]::new));
    }

    private static ObjectNode type(String name) {
        return NODES.objectNode().put("type", name);
    }

    private static ObjectNode types(String... names) {
        ObjectNode node = NODES.objectNode();
        ArrayNode list = node.putArray("type");
        for (String name : names) {
            list.add(name);
        }
        return node;
    }

    private static ObjectNode pattern(String regex) {
        return type("string").put("pattern", regex);
    }

    private static ObjectNode words(String... values) {
        ObjectNode node = NODES.objectNode();
        ArrayNode list = node.putArray("enum");
        for (String value : values) {
            list.add(value);
        }
        return node;
    }

    private static ObjectNode stringList() {
        return listOf(type("string"));
    }

    private static ObjectNode listOf(ObjectNode item) {
        return Types.listOf(item);
    }

    private static ObjectNode anyOf(ObjectNode... alternatives) {
        return Types.anyOf(alternatives);
    }
}
