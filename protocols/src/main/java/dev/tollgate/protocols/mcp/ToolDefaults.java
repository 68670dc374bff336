package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The argument defaults a tool's {@code inputSchema} declares, and the arguments as a server that fills them reads a call.
 * <p>
 * Why: {@code default} is only an annotation to a JSON Schema validator, but the binders most MCP servers are written
 * with fill it in: the TypeScript SDK parses arguments with zod, whose {@code .default(x)} supplies {@code x} for a
 * member left out; Python's FastMCP binds with Pydantic, which gives a parameter its default. A tool listing
 * {@code mode: {enum: [SAFE, DESTROY], default: DESTROY}} therefore destroys on a call that names no mode, which a
 * rule denying {@code mode: DESTROY} never sees. The gateway decides such a call on this reading too.
 * <p>
 * Read: {@code properties} of the root and of nested objects (through {@code properties}, an array member's
 * {@code items}, and same-document {@code $ref}s, as zod and Pydantic write them), each member's {@code default} (on the member's schema or
 * beside its {@code $ref}). Filled as zod and Pydantic fill: a member absent from its object (a member present as
 * {@code null} is not filled), and within a filled object value the defaults of its own members (zod parses a default
 * like a given value). Bounded: schemas deeper than {@link #MAX_DEPTH}, more than {@link #MAX_PLACES} objects with
 * defaults are read as far as the bound; a schema needing more than {@link #MAX_REFS} references or
 * {@link #MAX_VISITS} places to read (a recursive schema unrolled), or that cannot be read, fills nothing ({@link #NONE}).
 */
public final class ToolDefaults {

    static final int MAX_DEPTH = 16;
    static final int MAX_PLACES = 2_000;
    private static final int MAX_REFS = 64;
    private static final int MAX_VISITS = 20_000;

    /** No default anywhere: every call reads as sent. */
    public static final ToolDefaults NONE = new ToolDefaults(null);

    private final Place root;

    private ToolDefaults(Place root) {
        this.root = root;
    }

    /** The defaults of one tool's {@code inputSchema}: none for a missing, non-object or unreadable schema. */
    public static ToolDefaults of(JsonNode inputSchema) {
        if (inputSchema == null || !inputSchema.isObject()) {
            return NONE;
        }
        try {
            Place root = new Reader(inputSchema).read(inputSchema, 0);
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
     * The arguments with every default their schema declares for a member they leave out filled in, or null when these
     * arguments leave out no member that has a default (the call reads as sent). The given arguments are not changed.
     */
    public JsonNode filled(JsonNode arguments) {
        if (root == null) {
            return null;
        }
        if (arguments == null || arguments.isNull()) {
            // A call naming no arguments is bound as an empty object by the servers that fill defaults.
            return root.fill(JsonNodeFactory.instance.objectNode());
        }
        return arguments.isObject() ? root.fill((ObjectNode) arguments) : null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ToolDefaults defaults && Objects.equals(root, defaults.root);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(root);
    }

    /**
     * An object in the arguments: the defaults of its members, the objects under its members that hold defaults of their
     * own, and the objects in its members' arrays ({@code items}) that do (zod fills each element as it parses it).
     */
    private record Place(Map<String, JsonNode> defaults, Map<String, Place> members, Map<String, Place> elements) {

        /** The object with its defaults filled (a copy), or null when nothing here or below is left out. */
        ObjectNode fill(ObjectNode object) {
            ObjectNode copy = null;
            for (Map.Entry<String, JsonNode> entry : defaults.entrySet()) {
                if (!object.has(entry.getKey())) {
                    copy = copy != null ? copy : object.deepCopy();
                    copy.set(entry.getKey(), entry.getValue().deepCopy());
                }
            }
            for (Map.Entry<String, Place> entry : members.entrySet()) {
                ObjectNode source = copy != null ? copy : object;
                JsonNode value = source.get(entry.getKey());
                if (value instanceof ObjectNode member) {
                    ObjectNode filled = entry.getValue().fill(member);
                    if (filled != null) {
                        copy = copy != null ? copy : object.deepCopy();
                        copy.set(entry.getKey(), filled);
                    }
                }
            }
            for (Map.Entry<String, Place> entry : elements.entrySet()) {
                ObjectNode source = copy != null ? copy : object;
                if (source.get(entry.getKey()) instanceof ArrayNode array) {
                    ArrayNode filled = fillElements(array, entry.getValue());
                    if (filled != null) {
                        copy = copy != null ? copy : object.deepCopy();
                        copy.set(entry.getKey(), filled);
                    }
                }
            }
            return copy;
        }

        /** The array with each object element's defaults filled (a copy), or null when no element leaves one out. */
        private static ArrayNode fillElements(ArrayNode array, Place element) {
            ArrayNode copy = null;
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i) instanceof ObjectNode object) {
                    ObjectNode filled = element.fill(object);
                    if (filled != null) {
                        copy = copy != null ? copy : array.deepCopy();
                        copy.set(i, filled);
                    }
                }
            }
            return copy;
        }
    }

    /** Reads one schema document; counts what it read against the bounds. */
    private static final class Reader {

        private final SchemaResources resources;
        private int places;
        private int visits;
        private int refs;

        Reader(JsonNode document) {
            // References are resolved as the closed sets' reader resolves them (per schema resource, anchors included). A
            // default is the server's own code, which the schema only describes: it is taken beside a $ref in every draft,
            // and a $schema naming no known draft is read as the MCP default.
            SchemaDialect dialect = SchemaDialect.named(document.get("$schema"));
            this.resources = new SchemaResources(document, dialect != null ? dialect : SchemaDialect.DRAFT_2020_12);
        }

        Place read(JsonNode schema, int depth) {
            return read(schema, depth, resources.root().base());
        }

        /** The place a schema written where {@code outer} is the base describes, or null when nothing there has a default. */
        private Place read(JsonNode declared, int depth, URI outer) {
            if (++visits > MAX_VISITS) {
                throw new IllegalArgumentException("schema too large to read"); // a recursive schema unrolled: nothing filled
            }
            SchemaResources.Place schema = resolve(declared, outer);
            if (schema == null || depth > MAX_DEPTH || !schema.schema().path("properties").isObject() || places >= MAX_PLACES) {
                return null;
            }
            URI base = resources.inner(schema.schema(), schema.base());
            Map<String, JsonNode> defaults = new LinkedHashMap<>();
            Map<String, Place> members = new LinkedHashMap<>();
            Map<String, Place> elements = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.schema().path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> property = it.next();
                JsonNode value = defaultOf(property.getValue(), base);
                if (value != null) {
                    defaults.put(property.getKey(), value);
                }
                Place member = read(property.getValue(), depth + 1, base);
                if (member != null) {
                    members.put(property.getKey(), member);
                }
                SchemaResources.Place array = resolve(property.getValue(), base);
                JsonNode items = array == null ? null : array.schema().get("items");
                Place element = items == null || !items.isObject() ? null
                        : read(items, depth + 1, resources.inner(array.schema(), array.base()));
                if (element != null) {
                    elements.put(property.getKey(), element);
                }
            }
            if (defaults.isEmpty() && members.isEmpty() && elements.isEmpty()) {
                return null;
            }
            places++;
            return new Place(Map.copyOf(defaults), Map.copyOf(members), Map.copyOf(elements));
        }

        /** A member's default: on its own schema, else on the schema its {@code $ref}s lead to. */
        private JsonNode defaultOf(JsonNode declared, URI outer) {
            if (declared == null || !declared.isObject()) {
                return null;
            }
            if (declared.has("default")) {
                return declared.get("default");
            }
            SchemaResources.Place target = resolve(declared, outer);
            return target != null && target.schema() != declared ? target.schema().get("default") : null;
        }

        /**
         * The schema a same-document {@code $ref} leads to (followed through chains), the schema itself without one; null
         * for a non-object. A reference this document cannot resolve makes the schema unreadable.
         */
        private SchemaResources.Place resolve(JsonNode declared, URI outer) {
            SchemaResources.Place at = new SchemaResources.Place(declared, outer);
            for (int hops = 0; at.schema() != null && at.schema().isObject() && at.schema().path("$ref").isTextual(); hops++) {
                String ref = at.schema().path("$ref").asText();
                if (++refs > MAX_REFS || hops > MAX_REFS) {
                    throw new IllegalArgumentException("too many references");
                }
                SchemaResources.Place target = resources.resolve(ref, resources.inner(at.schema(), at.base()));
                if (target == null) {
                    throw new IllegalArgumentException("a reference to another document, or to nothing: " + ref);
                }
                at = target;
            }
            return at.schema() != null && at.schema().isObject() ? at : null;
        }
    }
}
