package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The closed value sets ({@code enum}, {@code const}) a tool's {@code inputSchema} declares for its arguments, and the
 * check that a call's arguments hold only listed values.
 * <p>
 * Why: a rule denying {@code mode: "DESTROY"} cannot know every spelling an upstream binds to that constant. A Java
 * tool binding its arguments with Jackson's defaults reads {@code 1} and {@code "1"} as the enum constant of ordinal 1;
 * other binders accept other case or aliases. The schema the tool itself lists names the only values it accepts: a
 * value outside them is either refused by a validating server or bound to something the gateway did not decide on.
 * <p>
 * Read: {@code properties} chains, array {@code items}, local {@code $ref}s ({@code #/$defs/...}, as Pydantic and
 * zod-to-json-schema write enums), {@code allOf} (every branch holds), {@code anyOf}/{@code oneOf} (some branch holds;
 * a branch {@code {"type": "null"}} allows only null, as {@code Optional[Mode]} is written). Everything else in the
 * schema (types, patterns, bounds) is not checked: only closed sets, because only they name what the value must be.
 * Bounded: schemas deeper than {@link #MAX_DEPTH}, larger than {@link #MAX_NODES} constrained places, or an enum over
 * {@link #MAX_VALUES} values constrain what was read before the bound (the rest is left unconstrained).
 */
public final class ToolEnums {

    static final int MAX_DEPTH = 16;
    static final int MAX_NODES = 2_000;
    static final int MAX_VALUES = 10_000;
    private static final int MAX_REFS = 64;

    /** No closed set anywhere: every call passes. */
    public static final ToolEnums NONE = new ToolEnums(null);

    private final Node root;

    private ToolEnums(Node root) {
        this.root = root;
    }

    /** The closed sets of one tool's {@code inputSchema} (a missing or non-object schema declares none). */
    public static ToolEnums of(JsonNode inputSchema) {
        if (inputSchema == null || !inputSchema.isObject()) {
            return NONE;
        }
        Node root = new Reader(inputSchema).read(inputSchema, 0);
        return root == null ? NONE : new ToolEnums(root);
    }

    /** Whether the schema declares any closed set (a tool that declares none costs a call nothing). */
    public boolean constrains() {
        return root != null;
    }

    /**
     * The JSON pointer of the first argument holding a value its schema's closed set does not list, or null when every
     * constrained argument holds a listed value (an absent argument holds none: requiring it is the server's business).
     */
    public String outside(JsonNode arguments) {
        return root == null || arguments == null ? null : root.outside(arguments, "");
    }

    /** Equal when they declare the same closed sets at the same places (so that equal schemas can be held once). */
    @Override
    public boolean equals(Object other) {
        return other instanceof ToolEnums enums && java.util.Objects.equals(root, enums.root);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(root);
    }

    /** One place in the schema: its own closed set, and the places under it. */
    private record Node(Set<String> allowed, Map<String, Node> properties, Node items, List<Node> all, List<Node> any) {

        String outside(JsonNode value, String pointer) {
            if (allowed != null && !allowed.contains(key(value))) {
                return pointer.isEmpty() ? "/" : pointer;
            }
            if (value.isObject()) {
                for (Map.Entry<String, Node> property : properties.entrySet()) {
                    JsonNode held = value.get(property.getKey());
                    if (held != null) {
                        String found = property.getValue().outside(held, pointer + "/" + escape(property.getKey()));
                        if (found != null) {
                            return found;
                        }
                    }
                }
            }
            if (items != null && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    String found = items.outside(value.get(i), pointer + "/" + i);
                    if (found != null) {
                        return found;
                    }
                }
            }
            for (Node branch : all) {
                String found = branch.outside(value, pointer);
                if (found != null) {
                    return found;
                }
            }
            if (!any.isEmpty()) {
                String first = null;
                for (Node branch : any) {
                    String found = branch.outside(value, pointer);
                    if (found == null) {
                        return null;
                    }
                    first = first == null ? found : first;
                }
                return first;
            }
            return null;
        }
    }

    /** Reads a schema into nodes, counting what it reads so that no schema can make it unbounded. */
    private static final class Reader {
        private final JsonNode document;
        private int nodes;
        private int refs;

        Reader(JsonNode document) {
            this.document = document;
        }

        /** The node of {@code schema}, or null when nothing at or under it is a closed set. */
        Node read(JsonNode schema, int depth) {
            if (depth > MAX_DEPTH || nodes >= MAX_NODES || schema == null || !schema.isObject()) {
                return null;
            }
            JsonNode ref = schema.get("$ref");
            if (ref != null && ref.isTextual()) {
                JsonNode target = local(ref.textValue());
                // A $ref beside other keywords (2020-12 allows it): both hold, the target read as one more allOf branch.
                Node referenced = target == null || ++refs > MAX_REFS ? null : read(target, depth + 1);
                Node beside = readOwn(schema, depth);
                return both(referenced, beside);
            }
            return readOwn(schema, depth);
        }

        private Node readOwn(JsonNode schema, int depth) {
            Set<String> allowed = closedSet(schema);
            Map<String, Node> properties = new HashMap<>();
            JsonNode declared = schema.get("properties");
            if (declared != null && declared.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = declared.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> property = it.next();
                    Node child = read(property.getValue(), depth + 1);
                    if (child != null) {
                        properties.put(property.getKey(), child);
                    }
                }
            }
            JsonNode itemSchema = schema.get("items");
            Node items = itemSchema != null && itemSchema.isObject() ? read(itemSchema, depth + 1) : null;
            List<Node> all = branches(schema.get("allOf"), depth, false);
            List<Node> any = new ArrayList<>();
            for (String keyword : List.of("anyOf", "oneOf")) {
                List<Node> alternatives = branches(schema.get(keyword), depth, true);
                if (alternatives != null && !alternatives.isEmpty()) {
                    // anyOf and oneOf beside each other both hold: the second goes in as an allOf branch.
                    if (any.isEmpty()) {
                        any = alternatives;
                    } else {
                        all.add(new Node(null, Map.of(), null, List.of(), alternatives));
                    }
                }
            }
            if (allowed == null && properties.isEmpty() && items == null && all.isEmpty() && any.isEmpty()) {
                return null;
            }
            nodes++;
            return new Node(allowed, Map.copyOf(properties), items, List.copyOf(all), List.copyOf(any));
        }

        /**
         * The nodes of a list of subschemas. For alternatives, one branch that constrains nothing lets every value
         * through, so the whole list is then dropped (returned empty).
         */
        private List<Node> branches(JsonNode list, int depth, boolean alternatives) {
            List<Node> read = new ArrayList<>();
            if (list == null || !list.isArray()) {
                return read;
            }
            for (JsonNode branch : list) {
                Node node = read(branch, depth + 1);
                if (node == null && alternatives) {
                    node = onlyNull(branch);
                    if (node == null) {
                        return new ArrayList<>();
                    }
                }
                if (node != null) {
                    read.add(node);
                }
            }
            return read;
        }

        /** {@code {"type": "null"}}: a branch that allows null alone (how an optional enum is written). */
        private Node onlyNull(JsonNode branch) {
            JsonNode type = branch.get("type");
            if (branch.isObject() && branch.size() == 1 && type != null && "null".equals(type.asText())) {
                nodes++;
                return new Node(Set.of(key(NullNode.getInstance())), Map.of(), null, List.of(), List.of());
            }
            return null;
        }

        private JsonNode local(String ref) {
            if (!ref.startsWith("#")) {
                return null; // a remote schema is not fetched: what it declares is not known here
            }
            JsonNode target = document.at(ref.substring(1));
            return target.isMissingNode() ? null : target;
        }

        private static Node both(Node a, Node b) {
            if (a == null || b == null) {
                return a == null ? b : a;
            }
            return new Node(null, Map.of(), null, List.of(a, b), List.of());
        }

        /** The schema's own closed set: {@code enum}, else {@code const}; null when it has neither. */
        private static Set<String> closedSet(JsonNode schema) {
            JsonNode values = schema.get("enum");
            if (values != null && values.isArray() && values.size() <= MAX_VALUES) {
                Set<String> allowed = new HashSet<>();
                values.forEach(value -> allowed.add(key(value)));
                return Set.copyOf(allowed);
            }
            JsonNode constant = schema.get("const");
            return constant == null ? null : Set.of(key(constant));
        }
    }

    /**
     * A value as JSON Schema compares it: numbers by value ({@code 1} and {@code 1.0} are one value), strings, booleans and
     * null by kind and value, arrays and objects by their text.
     */
    private static String key(JsonNode value) {
        if (value.isNumber()) {
            if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
                return "n" + value.asText(); // a double parser's reading of 1e999: Infinity, no decimal value
            }
            BigDecimal number = value.decimalValue().stripTrailingZeros();
            // toString, not toPlainString: 1e999999999 is a short text in scientific form, a billion digits in plain form.
            return "n" + (number.signum() == 0 ? "0" : number.toString());
        }
        if (value.isTextual()) {
            return "s" + value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "true" : "false";
        }
        if (value.isNull()) {
            return "null";
        }
        return "j" + value;
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
