package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The argument defaults a tool's {@code inputSchema} declares, and the arguments as a server that fills them reads a call.
 * <p>
 * Why: {@code default} is only an annotation to a JSON Schema validator, but the binders most MCP servers are written
 * with fill it in: the TypeScript SDK parses arguments with zod, whose {@code .default(x)} supplies {@code x} for a
 * member left out; Python's FastMCP binds with Pydantic, which gives a parameter its default. A tool listing
 * {@code mode: {enum: [SAFE, DESTROY], default: DESTROY}} therefore destroys on a call that names no mode, which a
 * rule denying {@code mode: DESTROY} never sees. The gateway decides such a call on these readings too.
 * <p>
 * Read wherever zod and Pydantic place an object's members: {@code properties} (each member's {@code default}, on its
 * schema or on the schema its {@code $ref} leads to), {@code additionalProperties} and {@code patternProperties} (a
 * record's values, every member not in {@code properties}), an array's {@code items} and tuples ({@code prefixItems},
 * or {@code items} as a list before 2020-12), {@code allOf} (every branch fills), {@code anyOf}/{@code oneOf} (the server
 * fills as the branch it takes: one reading per branch that can take the value, a branch naming another constant for a
 * member the value has, as a discriminated union's {@code kind}, cannot), and same-document {@code $ref}s, resolved as
 * {@link ToolEnums} resolves them ({@link SchemaResources}). Filled as zod 4 and Pydantic fill: a member absent from its
 * object (one present as {@code null} is not filled), its default put in as given (neither parses a default, so the
 * defaults of its own members are not filled in turn).
 * <p>
 * Bounded: a schema needing more than {@link #MAX_VISITS} places to read (a recursive schema unrolled) or nested deeper
 * than {@link #MAX_DEPTH}, or that cannot be read (another document's reference), fills nothing ({@link #NONE}); a call
 * has at most {@link #MAX_READINGS} readings (the first ones: unions beyond them add none).
 */
public final class ToolDefaults {

    static final int MAX_DEPTH = 16;
    static final int MAX_READINGS = 16;
    private static final int MAX_VISITS = 20_000;
    private static final int MAX_REF_CHAIN = 64;

    /** No default anywhere: every call reads as sent. */
    public static final ToolDefaults NONE = new ToolDefaults(null);

    private final Shape root;

    private ToolDefaults(Shape root) {
        this.root = root;
    }

    /** The defaults of one tool's {@code inputSchema}: none for a missing, non-object or unreadable schema. */
    public static ToolDefaults of(JsonNode inputSchema) {
        if (inputSchema == null || !inputSchema.isObject()) {
            return NONE;
        }
        try {
            Shape root = new Reader(inputSchema).read(inputSchema);
            return root == null ? NONE : new ToolDefaults(root);
        } catch (RuntimeException unreadable) {
            return NONE;
        }
    }

    /** Whether the schema declares any default (a tool that declares none costs a call nothing). */
    public boolean fills() {
        return root != null;
    }

    /**
     * The arguments as a server filling the schema's defaults may read them, each a copy with the defaults of members the
     * call leaves out filled in (one per union branch the server may take); empty when the call leaves out nothing that
     * has a default (it reads as sent). The given arguments are not changed.
     */
    public List<JsonNode> filled(JsonNode arguments) {
        if (root == null) {
            return List.of();
        }
        // A call naming no arguments is bound as an empty object by the servers that fill defaults.
        JsonNode value = arguments == null || arguments.isNull() ? JsonNodeFactory.instance.objectNode() : arguments;
        List<JsonNode> readings = root.readings(value);
        List<JsonNode> changed = new ArrayList<>(readings.size());
        for (JsonNode reading : readings) {
            if (reading != arguments && !reading.equals(value) && !changed.contains(reading)) {
                changed.add(reading);
            }
        }
        return changed;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ToolDefaults defaults && Objects.equals(root, defaults.root);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(root);
    }

    /** A place in the arguments that fills something, here or below. */
    private sealed interface Shape permits Members, Elements, Every, Either {

        /** The value's readings (itself, unchanged, when nothing is filled): at least one, at most {@link #MAX_READINGS}. */
        List<JsonNode> readings(JsonNode value);
    }

    /**
     * An object: the defaults of its members, the places under its members, the place of every member not in
     * {@code properties} ({@code additionalProperties}, {@code patternProperties}: null when none fills), and the constants
     * its members must hold (by which a union's branch is told).
     */
    private record Members(Map<String, List<JsonNode>> defaults, Map<String, Shape> members, Shape others,
                           Map<String, JsonNode> constants) implements Shape {

        @Override
        public List<JsonNode> readings(JsonNode value) {
            if (!(value instanceof ObjectNode object)) {
                return List.of(value);
            }
            List<JsonNode> readings = List.of(object);
            for (Map.Entry<String, List<JsonNode>> entry : defaults.entrySet()) {
                if (!object.has(entry.getKey())) {
                    // One reading per default the member may be given (a union's branches may each give their own).
                    List<JsonNode> out = new ArrayList<>();
                    for (JsonNode reading : readings) {
                        for (JsonNode given : entry.getValue()) {
                            if (out.size() < MAX_READINGS) {
                                ObjectNode copy = ((ObjectNode) reading).deepCopy();
                                copy.set(entry.getKey(), given.deepCopy());
                                out.add(copy);
                            }
                        }
                    }
                    readings = out;
                }
            }
            for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                Shape member = members.containsKey(name) ? members.get(name) : others;
                if (member != null) {
                    readings = eachWith(readings, name, member.readings(object.get(name)));
                }
            }
            return readings;
        }

        /** Whether the value's members hold no other constant than this object's members must hold. */
        boolean mayTake(JsonNode value) {
            if (!(value instanceof ObjectNode object)) {
                return true;
            }
            for (Map.Entry<String, JsonNode> constant : constants.entrySet()) {
                JsonNode held = object.get(constant.getKey());
                if (held != null && !InstanceKey.of(held).equals(InstanceKey.of(constant.getValue()))) {
                    return false;
                }
            }
            return true;
        }

        /** Every reading with the member given each of its readings (the ones the member leaves unchanged kept as they are). */
        private static List<JsonNode> eachWith(List<JsonNode> readings, String name, List<JsonNode> memberReadings) {
            if (memberReadings.size() == 1 && memberReadings.get(0) == readings.get(0).get(name)) {
                return readings; // unchanged
            }
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode reading : readings) {
                for (JsonNode member : memberReadings) {
                    if (out.size() == MAX_READINGS) {
                        return out;
                    }
                    if (member == reading.get(name)) {
                        out.add(reading);
                    } else {
                        ObjectNode copy = ((ObjectNode) reading).deepCopy();
                        copy.set(name, member);
                        out.add(copy);
                    }
                }
            }
            return out;
        }
    }

    /** An array: the places of its first elements (a tuple), and of every element after them (null when none fills). */
    private record Elements(List<Shape> prefix, Shape rest) implements Shape {

        @Override
        public List<JsonNode> readings(JsonNode value) {
            if (!(value instanceof ArrayNode array)) {
                return List.of(value);
            }
            List<JsonNode> readings = List.of(array);
            for (int i = 0; i < array.size(); i++) {
                Shape element = i < prefix.size() ? prefix.get(i) : rest;
                if (element == null) {
                    continue;
                }
                List<JsonNode> elementReadings = element.readings(array.get(i));
                if (elementReadings.size() == 1 && elementReadings.get(0) == array.get(i)) {
                    continue;
                }
                List<JsonNode> out = new ArrayList<>();
                for (JsonNode reading : readings) {
                    for (JsonNode each : elementReadings) {
                        if (out.size() < MAX_READINGS) {
                            ArrayNode copy = ((ArrayNode) reading).deepCopy();
                            copy.set(i, each);
                            out.add(copy);
                        }
                    }
                }
                readings = out;
            }
            return readings;
        }
    }

    /** {@code allOf} (and a {@code $ref} with siblings): every part fills, one after another. */
    private record Every(List<Shape> parts) implements Shape {

        @Override
        public List<JsonNode> readings(JsonNode value) {
            List<JsonNode> readings = List.of(value);
            for (Shape part : parts) {
                List<JsonNode> out = new ArrayList<>();
                for (JsonNode reading : readings) {
                    for (JsonNode each : part.readings(reading)) {
                        if (out.size() < MAX_READINGS) {
                            out.add(each);
                        }
                    }
                }
                readings = out;
            }
            return readings;
        }
    }

    /** {@code anyOf}/{@code oneOf}: the server fills as the branch it takes, so each branch that may take the value reads. */
    private record Either(List<Shape> branches) implements Shape {

        @Override
        public List<JsonNode> readings(JsonNode value) {
            List<JsonNode> out = new ArrayList<>();
            for (Shape branch : branches) {
                if (branch instanceof Members members && !members.mayTake(value)) {
                    continue;
                }
                for (JsonNode each : branch.readings(value)) {
                    if (out.size() < MAX_READINGS) {
                        out.add(each);
                    }
                }
            }
            return out.isEmpty() ? List.of(value) : out;
        }
    }

    /** Reads one schema document; counts what it read against the bounds. */
    private static final class Reader {

        private final SchemaResources resources;
        private final SchemaDialect dialect;
        private int visits;

        Reader(JsonNode document) {
            // References are resolved as the closed sets' reader resolves them (per schema resource, anchors included). A
            // default is the server's own code, which the schema only describes: a $schema naming no known draft is read as
            // the MCP default.
            SchemaDialect named = SchemaDialect.named(document.get("$schema"));
            this.dialect = named != null ? named : SchemaDialect.DRAFT_2020_12;
            this.resources = new SchemaResources(document, dialect);
        }

        Shape read(JsonNode document) {
            return read(document, 0, resources.root().base());
        }

        /** The shape of a schema written where {@code outer} is the base, or null when nothing there or below fills. */
        private Shape read(JsonNode schema, int depth, URI outer) {
            if (++visits > MAX_VISITS || depth > MAX_DEPTH) {
                throw new IllegalArgumentException("schema too large to read"); // a recursive schema unrolled: nothing filled
            }
            if (schema == null || !schema.isObject()) {
                return null;
            }
            URI base = resources.inner(schema, outer);
            List<Shape> parts = new ArrayList<>();
            JsonNode ref = schema.get("$ref");
            if (ref != null && ref.isTextual()) {
                add(parts, read(referenced(ref.textValue(), base, outer), depth + 1));
                // Siblings of $ref: zod and Pydantic write them (a description, a default) whatever the draft; what they fill
                // is filled.
            }
            add(parts, members(schema, depth, base));
            add(parts, elements(schema, depth, base));
            for (JsonNode branch : schema.path("allOf")) {
                add(parts, read(branch, depth + 1, base));
            }
            for (String keyword : new String[] {"anyOf", "oneOf"}) {
                List<Shape> branches = new ArrayList<>();
                boolean filling = false;
                for (JsonNode branch : schema.path(keyword)) {
                    Shape read = read(branch, depth + 1, base);
                    filling |= read != null;
                    branches.add(read != null ? read : constantsOnly(branch, base));
                }
                if (filling) {
                    parts.add(new Either(branches.stream().filter(Objects::nonNull).toList()));
                }
            }
            return parts.isEmpty() ? null : parts.size() == 1 ? parts.get(0) : new Every(List.copyOf(parts));
        }

        private Shape read(SchemaResources.Place place, int depth) {
            return read(place.schema(), depth, place.base());
        }

        private static void add(List<Shape> parts, Shape shape) {
            if (shape != null) {
                parts.add(shape);
            }
        }

        /** An object's members, when anything under them fills (or, for a union's branch, null). */
        private Members members(JsonNode schema, int depth, URI base) {
            Map<String, List<JsonNode>> defaults = new LinkedHashMap<>();
            Map<String, Shape> members = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> property = it.next();
                List<JsonNode> values = defaultOf(property.getValue(), base);
                if (!values.isEmpty()) {
                    defaults.put(property.getKey(), List.copyOf(values));
                }
                Shape member = read(property.getValue(), depth + 1, base);
                if (member != null) {
                    members.put(property.getKey(), member);
                }
            }
            List<Shape> others = new ArrayList<>();
            add(others, read(schema.get("additionalProperties"), depth + 1, base));
            for (JsonNode pattern : schema.path("patternProperties")) {
                add(others, read(pattern, depth + 1, base));
            }
            Shape other = others.isEmpty() ? null : others.size() == 1 ? others.get(0) : new Either(List.copyOf(others));
            if (defaults.isEmpty() && members.isEmpty() && other == null) {
                return null;
            }
            return new Members(Map.copyOf(defaults), Map.copyOf(members), other, constants(schema, base));
        }

        /** A union branch that fills nothing: kept (with its constants) so that the value it takes reads as sent. */
        private Shape constantsOnly(JsonNode branch, URI base) {
            return branch != null && branch.isObject() ? new Members(Map.<String, List<JsonNode>>of(), Map.of(), null, constants(branch, base)) : null;
        }

        /** The constant each member must hold ({@code const}, or an {@code enum} of one value), by which a branch is told. */
        private Map<String, JsonNode> constants(JsonNode schema, URI base) {
            Map<String, JsonNode> constants = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> property = it.next();
                JsonNode declared = property.getValue();
                JsonNode constant = declared.get("const");
                if (constant == null && declared.path("enum").isArray() && declared.path("enum").size() == 1) {
                    constant = declared.path("enum").get(0);
                }
                if (constant != null) {
                    constants.put(property.getKey(), constant);
                }
            }
            return Map.copyOf(constants);
        }

        /** An array's elements, when anything under them fills. */
        private Elements elements(JsonNode schema, int depth, URI base) {
            List<Shape> prefix = new ArrayList<>();
            JsonNode tuple = dialect.hasPrefixItems() ? schema.get("prefixItems") : schema.get("items");
            if (tuple != null && tuple.isArray()) {
                for (JsonNode element : tuple) {
                    prefix.add(read(element, depth + 1, base));
                }
            }
            JsonNode restSchema = dialect.hasPrefixItems() ? schema.get("items")
                    : tuple != null && tuple.isArray() ? schema.get("additionalItems") : schema.get("items");
            Shape rest = restSchema != null && restSchema.isObject() ? read(restSchema, depth + 1, base) : null;
            if (rest == null && prefix.stream().allMatch(Objects::isNull)) {
                return null;
            }
            return new Elements(java.util.Collections.unmodifiableList(prefix), rest);
        }

        /** A member's default: on its own schema, else on the schema its {@code $ref}s lead to. */
        private List<JsonNode> defaultOf(JsonNode declared, URI outer) {
            List<JsonNode> defaults = new ArrayList<>(1);
            defaultsOf(declared, outer, 0, defaults);
            return defaults;
        }

        /**
         * Adds the defaults a member's schema may give: its own (the outermost wins: zod writes {@code .nullable().default(x)}
         * with x outside), else the one its {@code $ref} leads to, else those of its {@code allOf}, {@code anyOf} and
         * {@code oneOf} branches (zod writes {@code .default(x).nullable()} as {@code anyOf [{default: x, ...}, {type: null}]};
         * each branch's default is a reading of its own).
         */
        private void defaultsOf(JsonNode schema, URI outer, int depth, List<JsonNode> defaults) {
            if (schema == null || !schema.isObject() || depth > MAX_REF_CHAIN) {
                return;
            }
            if (++visits > MAX_VISITS) {
                throw new IllegalArgumentException("schema too large to read");
            }
            if (schema.has("default")) {
                if (!defaults.contains(schema.get("default"))) {
                    defaults.add(schema.get("default"));
                }
                return;
            }
            URI base = resources.inner(schema, outer);
            JsonNode ref = schema.get("$ref");
            if (ref != null && ref.isTextual()) {
                SchemaResources.Place target = referenced(ref.textValue(), base, outer);
                defaultsOf(target.schema(), target.base(), depth + 1, defaults);
            }
            for (String keyword : new String[] {"allOf", "anyOf", "oneOf"}) {
                for (JsonNode branch : schema.path(keyword)) {
                    defaultsOf(branch, base, depth + 1, defaults);
                }
            }
        }

        /** The schema a same-document reference names; one this document cannot resolve makes the schema unreadable. */
        private SchemaResources.Place referenced(String ref, URI base, URI outer) {
            SchemaResources.Place target = resources.resolve(ref, base);
            if (target == null) {
                throw new IllegalArgumentException("a reference to another document, or to nothing: " + ref);
            }
            return target;
        }
    }
}
