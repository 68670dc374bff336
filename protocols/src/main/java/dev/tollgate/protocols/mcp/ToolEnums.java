package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * Read: {@code properties}, {@code patternProperties} and {@code additionalProperties} (a {@code Map<String, Mode>}),
 * {@code prefixItems} and {@code items} (2020-12 tuples and rest items; before 2020-12, {@code items} as a list and
 * {@code additionalItems}), same-document {@code $ref}s (JSON pointers, {@code $anchor} names, {@code $id}s, each
 * resolved against the resource it is written in: {@link SchemaResources}), {@code allOf} (every branch holds),
 * {@code anyOf}/{@code oneOf} (some branch holds; a branch {@code {"type": "null"}} allows only null, as
 * {@code Optional[Mode]} is written; branches that are each a closed set are read as one). Values compare as JSON Schema
 * compares them ({@link InstanceKey}). The draft the root's {@code $schema} names decides how (2020-12 when absent, as MCP
 * says; up to draft-07 a {@code $ref}'s siblings are ignored: {@link SchemaDialect}). Everything else (types, patterns,
 * bounds) is not checked: only closed sets name what a value must be. A schema the reader cannot read as every validator
 * would (a {@code $schema} naming no known draft, two schemas under one name) constrains nothing ({@link #NONE}): the
 * check is a guard in front of policy, which still decides. Bounded: schemas deeper than {@link #MAX_DEPTH}, more than {@link #MAX_NODES}
 * constrained places, an enum over {@link #MAX_VALUES} values constrain what was read before the bound; a check visits
 * at most {@link #MAX_STEPS} places, and a call needing more is taken as outside (fail closed).
 */
public final class ToolEnums {

    static final int MAX_DEPTH = 16;
    static final int MAX_NODES = 2_000;
    static final int MAX_VALUES = 10_000;
    static final int MAX_STEPS = 1_000_000;
    private static final int MAX_REFS = 64;

    /** No closed set anywhere: every call passes. */
    public static final ToolEnums NONE = new ToolEnums(null);

    private final Node root;

    private ToolEnums(Node root) {
        this.root = root;
    }

    /**
     * The closed sets of one tool's {@code inputSchema}: none for a missing or non-object schema, and none for one that
     * cannot be read (a reference or pattern the reader does not take).
     */
    public static ToolEnums of(JsonNode inputSchema) {
        if (inputSchema == null || !inputSchema.isObject()) {
            return NONE;
        }
        try {
            Reader reader = new Reader(inputSchema);
            Node root = reader.read(reader.resources.root(), 0);
            return root == null ? NONE : new ToolEnums(root);
        } catch (RuntimeException unreadable) {
            return NONE;
        }
    }

    /** Whether the schema declares any closed set (a tool that declares none costs a call nothing). */
    public boolean constrains() {
        return root != null;
    }

    /**
     * The JSON pointer of the first argument holding a value its schema's closed set does not list, or null when every
     * constrained argument holds a listed value (an absent argument holds none: requiring it is the server's business).
     * A call whose check needs more than {@link #MAX_STEPS} steps is answered with the place it had reached.
     */
    public String outside(JsonNode arguments) {
        return root == null || arguments == null ? null : root.outside(arguments, "", new int[]{MAX_STEPS});
    }

    /** Equal when they declare the same closed sets at the same places (so that equal schemas can be held once). */
    @Override
    public boolean equals(Object other) {
        return other instanceof ToolEnums enums && Objects.equals(root, enums.root);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(root);
    }

    /**
     * Keys matching a pattern, and the place their values are held to; null: free (a member it matches is still not an
     * additional one, review CG).
     */
    private record Patterned(Pattern pattern, Node node) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Patterned p && p.pattern.pattern().equals(pattern.pattern()) && Objects.equals(p.node, node);
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode() * 31 + Objects.hashCode(node);
        }
    }

    /**
     * One place in the schema: its own closed set, and the places under it.
     *
     * @param named      every name {@code properties} lists, constrained or not (kept only beside an additional place)
     * @param additional the place of every member that no {@code properties} name and no pattern matches; null: free
     * @param prefix     the places of an array's first elements, in order
     * @param items      the place of every element after the prefix; null: free
     */
    private record Node(Set<Object> allowed, Map<String, Node> properties, Set<String> named, List<Patterned> patterns, Node additional,
                        List<Node> prefix, Node items, List<Node> all, List<Node> any) {

        boolean isLeaf() {
            return allowed != null && properties.isEmpty() && patterns.isEmpty() && additional == null && prefix.isEmpty() && items == null
                    && all.isEmpty() && any.isEmpty();
        }

        String outside(JsonNode value, String pointer, int[] steps) {
            if (--steps[0] < 0) {
                return pointer.isEmpty() ? "/" : pointer; // too costly to check: fail closed, where it had got to
            }
            if (allowed != null && !allowed.contains(InstanceKey.of(value, steps))) {
                return pointer.isEmpty() ? "/" : pointer;
            }
            if (value.isObject() && (!properties.isEmpty() || !patterns.isEmpty() || additional != null)) {
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> member = it.next();
                    String found = member(member.getKey(), member.getValue(), pointer + "/" + escape(member.getKey()), steps);
                    if (found != null) {
                        return found;
                    }
                }
            }
            if (value.isArray() && (!prefix.isEmpty() || items != null)) {
                for (int i = 0; i < value.size(); i++) {
                    Node place = i < prefix.size() ? prefix.get(i) : items;
                    String found = place == null ? null : place.outside(value.get(i), pointer + "/" + i, steps);
                    if (found != null) {
                        return found;
                    }
                }
            }
            for (Node branch : all) {
                String found = branch.outside(value, pointer, steps);
                if (found != null) {
                    return found;
                }
            }
            if (!any.isEmpty()) {
                String first = null;
                for (Node branch : any) {
                    String found = branch.outside(value, pointer, steps);
                    if (found == null) {
                        return null;
                    }
                    first = first == null ? found : first;
                }
                return first;
            }
            return null;
        }

        /** A member is held to its named place, and to every pattern it matches; to the additional place when neither. */
        private String member(String name, JsonNode held, String pointer, int[] steps) {
            Node place = properties.get(name);
            boolean placed = named.contains(name);
            if (place != null) {
                String found = place.outside(held, pointer, steps);
                if (found != null) {
                    return found;
                }
            }
            for (Patterned patterned : patterns) {
                if (patterned.pattern().matcher(name).find()) {
                    placed = true;
                    String found = patterned.node() == null ? null : patterned.node().outside(held, pointer, steps);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return placed || additional == null ? null : additional.outside(held, pointer, steps);
        }
    }

    /** Reads a schema into nodes, counting what it reads so that no schema can make it unbounded. */
    private static final class Reader {
        private static final Node NULL_ONLY = new Node(Set.of(InstanceKey.NULL), Map.of(), Set.of(), List.of(), null, List.of(), null, List.of(), List.of());

        private final SchemaDialect dialect;
        private final SchemaResources resources;
        private int nodes;
        private int refs;

        Reader(JsonNode document) {
            this.dialect = SchemaDialect.named(document.get("$schema"));
            if (dialect == null) {
                throw new SchemaResources.Unreadable("a $schema naming no known draft: how it reads $ref and const is not known");
            }
            this.resources = new SchemaResources(document, dialect);
        }

        private Node read(SchemaResources.Place place, int depth) {
            return read(place.schema(), depth, place.base());
        }

        /** The node of {@code schema} written where {@code outer} is the base URI, or null when it holds no closed set. */
        Node read(JsonNode schema, int depth, URI outer) {
            if (depth > MAX_DEPTH || nodes >= MAX_NODES || schema == null || !schema.isObject()) {
                return null;
            }
            URI base = resources.inner(schema, outer);
            JsonNode ref = schema.get("$ref");
            if (ref != null && ref.isTextual() && !dialect.refSiblingsApply()) {
                // Up to draft-07 a $ref is the whole schema: its siblings ($id and any enum included) are ignored. Should
                // a sibling $id lead the reference elsewhere (validators differ there), the schema is not read.
                SchemaResources.Place target = resources.resolve(ref.textValue(), outer);
                if (!base.equals(outer) && !sameSchema(target, resources.resolve(ref.textValue(), base))) {
                    throw new SchemaResources.Unreadable("a $ref whose sibling $id moves it, in a draft ignoring siblings");
                }
                return target == null || ++refs > MAX_REFS ? null : read(target, depth + 1);
            }
            if (ref != null && ref.isTextual()) {
                SchemaResources.Place target = resources.resolve(ref.textValue(), base);
                // A $ref beside other keywords (2019-09 on): both hold, the target read as one more allOf branch.
                Node referenced = target == null || ++refs > MAX_REFS ? null : read(target, depth + 1);
                return both(referenced, readOwn(schema, depth, base));
            }
            return readOwn(schema, depth, base);
        }

        private static boolean sameSchema(SchemaResources.Place a, SchemaResources.Place b) {
            return a == null ? b == null : b != null && a.schema() == b.schema();
        }

        private Node readOwn(JsonNode schema, int depth, URI base) {
            Set<Object> allowed = closedSet(schema, dialect);
            Map<String, Node> properties = new HashMap<>();
            JsonNode declared = schema.get("properties");
            if (declared != null && declared.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = declared.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> property = it.next();
                    Node child = read(property.getValue(), depth + 1, base);
                    if (child != null) {
                        properties.put(property.getKey(), child);
                    }
                }
            }
            Node additional = objectSchema(schema.get("additionalProperties"), depth, base);
            List<Patterned> patterns = new ArrayList<>();
            JsonNode patterned = schema.get("patternProperties");
            if (patterned != null && patterned.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = patterned.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    Node child = read(entry.getValue(), depth + 1, base);
                    // A free pattern is kept beside an additional place: the members it matches are not additional ones.
                    if (child != null || additional != null) {
                        patterns.add(new Patterned(keyPattern(entry.getKey()), child));
                    }
                }
            }
            List<Node> prefix = new ArrayList<>();
            Node items;
            // prefixItems is a keyword from 2020-12 only: before, an unknown one that constrains nothing.
            JsonNode tuple = dialect.hasPrefixItems() ? schema.get("prefixItems") : null;
            JsonNode itemSchema = schema.get("items");
            if (itemSchema != null && itemSchema.isArray()) {
                // Before 2020-12: items as a list is the tuple, additionalItems the rest.
                tuple = itemSchema;
                itemSchema = schema.get("additionalItems");
            }
            if (tuple != null && tuple.isArray()) {
                // Every position kept, free ones as null: the rest items start after the whole tuple.
                for (JsonNode position : tuple) {
                    prefix.add(read(position, depth + 1, base));
                }
            }
            items = objectSchema(itemSchema, depth, base);
            List<Node> all = branches(schema.get("allOf"), depth, base, false);
            List<Node> any = new ArrayList<>();
            for (String keyword : List.of("anyOf", "oneOf")) {
                List<Node> alternatives = branches(schema.get(keyword), depth, base, true);
                if (!alternatives.isEmpty()) {
                    // anyOf and oneOf beside each other both hold: the second goes in as an allOf branch.
                    if (any.isEmpty()) {
                        any = alternatives;
                    } else {
                        all.add(new Node(null, Map.of(), Set.of(), List.of(), null, List.of(), null, List.of(), List.copyOf(alternatives)));
                    }
                }
            }
            if (!any.isEmpty() && any.stream().allMatch(Node::isLeaf)) {
                // oneOf of consts (a documented enum): one set, so each value is looked up once, not once per branch.
                Set<Object> union = new HashSet<>();
                any.forEach(branch -> union.addAll(branch.allowed()));
                allowed = allowed == null ? union : intersection(allowed, union);
                any = List.of();
            }
            if (allowed == null && properties.isEmpty() && patterns.isEmpty() && additional == null && prefix.isEmpty() && items == null
                    && all.isEmpty() && any.isEmpty()) {
                return null;
            }
            nodes++;
            Set<String> named = new HashSet<>();
            if (additional != null && declared != null && declared.isObject()) {
                declared.fieldNames().forEachRemaining(named::add);
            }
            return new Node(allowed == null ? null : Set.copyOf(allowed), Map.copyOf(properties), Set.copyOf(named), List.copyOf(patterns),
                    additional,
                    prefix.stream().anyMatch(Objects::nonNull) || items != null ? Collections.unmodifiableList(prefix) : List.of(), items,
                    List.copyOf(all), List.copyOf(any));
        }

        private Node objectSchema(JsonNode schema, int depth, URI base) {
            return schema != null && schema.isObject() ? read(schema, depth + 1, base) : null;
        }

        /**
         * The nodes of a list of subschemas. For alternatives, one branch that constrains nothing lets every value
         * through, so the whole list is then dropped (returned empty).
         */
        private List<Node> branches(JsonNode list, int depth, URI base, boolean alternatives) {
            List<Node> read = new ArrayList<>();
            if (list == null || !list.isArray()) {
                return read;
            }
            for (JsonNode branch : list) {
                Node node = read(branch, depth + 1, base);
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
        private static Node onlyNull(JsonNode branch) {
            JsonNode type = branch.get("type");
            return branch.isObject() && branch.size() == 1 && type != null && "null".equals(type.asText()) ? NULL_ONLY : null;
        }

        /**
         * A {@code patternProperties} key as RE2 reads it (linear time on the caller's member names). A pattern RE2 cannot
         * read (lookaround, backreferences) is taken to match every name: its values are then held to its closed set
         * (fail closed; such patterns beside an enum are rare).
         */
        private static Pattern keyPattern(String pattern) {
            try {
                return Pattern.compile(pattern);
            } catch (PatternSyntaxException unreadable) {
                return Pattern.compile("");
            }
        }

        private static Node both(Node a, Node b) {
            if (a == null || b == null) {
                return a == null ? b : a;
            }
            return new Node(null, Map.of(), Set.of(), List.of(), null, List.of(), null, List.of(a, b), List.of());
        }

        /** The schema's own closed set: {@code enum}, else {@code const} (from draft-06); null when it has neither. */
        private static Set<Object> closedSet(JsonNode schema, SchemaDialect dialect) {
            JsonNode values = schema.get("enum");
            if (values != null && values.isArray() && values.size() <= MAX_VALUES) {
                Set<Object> allowed = new HashSet<>();
                values.forEach(value -> allowed.add(InstanceKey.of(value)));
                return allowed;
            }
            JsonNode constant = dialect.hasConst() ? schema.get("const") : null;
            return constant == null ? null : new HashSet<>(Set.of(InstanceKey.of(constant)));
        }

        private static Set<Object> intersection(Set<Object> a, Set<Object> b) {
            Set<Object> both = new HashSet<>(a);
            both.retainAll(b);
            return both;
        }
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
