package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Where the same-document references of one tool's input schema lead, as JSON Schema resolves them.
 * <p>
 * Why: a reference resolves against the base of the schema resource it is written in, not the document's root. A
 * subschema with its own {@code $id} is a resource of its own (a bundled schema): its {@code #/$defs/m} names its own
 * {@code $defs}. Names ({@code $anchor}, {@code $dynamicAnchor}, or until draft-07 an {@code $id} fragment) are
 * keywords of schemas only: one written inside an {@code examples}, {@code default}, {@code const} or {@code enum} value,
 * or any unknown keyword's, names nothing. So the document is indexed once, through the keywords that hold subschemas,
 * and references are looked up in that index.
 * <p>
 * A reference to another document (not fetched here) or to nothing leads nowhere (null). A document whose names are
 * ambiguous (two schemas under one name), a subschema naming another draft than the document's, an identifier that is
 * not a URI, or nesting past {@link #MAX_DEPTH} cannot be read: {@link Unreadable}.
 */
final class SchemaResources {

    static final int MAX_DEPTH = 256;
    /** The base of a root without {@code $id}: a tools list gives a schema no retrieval URI. */
    private static final URI UNNAMED = URI.create("tollgate:/input-schema");

    /** A schema, and the base URI in effect where it is written (before its own identifier applies). */
    record Place(JsonNode schema, URI base) {
    }

    /** A schema the reader cannot read as every validator would: it is read as constraining nothing. */
    static final class Unreadable extends RuntimeException {
        Unreadable(String why) {
            super(why, null, false, false);
        }
    }

    private record Anchor(URI resource, String name) {
    }

    /** What a keyword of a schema holds: a subschema, a map or a list of them, or a plain value. */
    private enum Kind { SCHEMA, MAP, LIST, VALUE }

    private final SchemaDialect dialect;
    private final Map<URI, Place> resources = new HashMap<>();
    private final Map<Anchor, Place> anchors = new HashMap<>();
    private final Place root;

    SchemaResources(JsonNode document, SchemaDialect dialect) {
        this.dialect = dialect;
        this.root = new Place(document, UNNAMED);
        index(document, UNNAMED, 0);
    }

    /** The root schema, in place. */
    Place root() {
        return root;
    }

    /** The base URI in effect inside {@code schema}: its own identifier resolved against the base around it. */
    URI inner(JsonNode schema, URI outer) {
        JsonNode id = schema.isObject() ? schema.get(dialect.idKeyword()) : null;
        if (id == null || !id.isTextual()) {
            return outer;
        }
        String text = id.textValue();
        int hash = text.indexOf('#');
        if (hash >= 0 && hash < text.length() - 1 && !dialect.fragmentIdentifiers()) {
            throw new Unreadable("an $id with a fragment (2019-09 on, a schema error)");
        }
        String address = hash < 0 ? text : text.substring(0, hash);
        if (address.isEmpty()) {
            return outer;
        }
        try {
            return against(outer, address);
        } catch (URISyntaxException | IllegalArgumentException notUri) {
            throw new Unreadable("an identifier that is not a URI");
        }
    }

    /** The schema a reference written where {@code base} is in effect names, or null when it names none in this document. */
    Place resolve(String ref, URI base) {
        int hash = ref.indexOf('#');
        String address = hash < 0 ? ref : ref.substring(0, hash);
        URI document;
        try {
            document = address.isEmpty() ? base : against(base, address);
        } catch (URISyntaxException | IllegalArgumentException notUri) {
            return null; // a validator refuses the schema itself: nothing here to read
        }
        Place resource = resources.get(document);
        String fragment = hash < 0 ? "" : decoded(ref.substring(hash + 1));
        if (resource == null || fragment == null) {
            return null; // another document's (not fetched), or an unreadable fragment
        }
        if (fragment.isEmpty()) {
            return resource;
        }
        return fragment.startsWith("/") ? pointed(resource, fragment) : anchors.get(new Anchor(document, fragment));
    }

    /** Indexes resources and names, through subschema keywords only (never inside values). */
    private void index(JsonNode schema, URI outer, int depth) {
        if (depth > MAX_DEPTH) {
            throw new Unreadable("schema nested too deep to index");
        }
        if (!schema.isObject()) {
            return;
        }
        JsonNode declared = schema.get("$schema");
        if (depth > 0 && declared != null && SchemaDialect.named(declared) != dialect) {
            throw new Unreadable("a subschema names another draft than its document");
        }
        URI base = inner(schema, outer);
        Place place = new Place(schema, outer);
        if (depth == 0 || !base.equals(outer)) {
            register(resources, base, place);
        }
        if (dialect.fragmentIdentifiers()) {
            JsonNode id = schema.get(dialect.idKeyword());
            String text = id != null && id.isTextual() ? id.textValue() : "";
            int hash = text.indexOf('#');
            String name = hash < 0 ? "" : decoded(text.substring(hash + 1));
            if (name != null && !name.isEmpty() && !name.startsWith("/")) {
                register(anchors, new Anchor(base, name), place);
            }
        } else {
            anchor(schema.get("$anchor"), base, place);
            if (dialect.hasDynamicAnchors()) {
                anchor(schema.get("$dynamicAnchor"), base, place);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> keyword = it.next();
            JsonNode held = keyword.getValue();
            switch (kindUnder(keyword.getKey(), held)) {
                case SCHEMA -> index(held, base, depth + 1);
                case MAP, LIST -> {
                    for (JsonNode subschema : held) {
                        index(subschema, base, depth + 1);
                    }
                }
                case VALUE -> {
                    // examples, default, const, enum, unknown keywords: values, whatever they look like
                }
            }
        }
    }

    private void anchor(JsonNode name, URI base, Place place) {
        if (name != null && name.isTextual()) {
            register(anchors, new Anchor(base, name.textValue()), place);
        }
    }

    private static <K> void register(Map<K, Place> names, K name, Place place) {
        Place earlier = names.putIfAbsent(name, place);
        if (earlier != null && earlier.schema() != place.schema()) {
            throw new Unreadable("two schemas under one name: which one a validator takes is not known");
        }
    }

    /** A JSON pointer followed from a resource, the base tracked through the subschemas it passes (lexically). */
    private Place pointed(Place resource, String pointer) {
        JsonNode node = resource.schema();
        URI outer = resource.base();
        Kind kind = Kind.SCHEMA;
        for (String escaped : pointer.substring(1).split("/", -1)) {
            String token = escaped.replace("~1", "/").replace("~0", "~");
            JsonNode child = node.isArray() ? element(node, token) : node.get(token);
            if (child == null) {
                return null;
            }
            if (kind == Kind.SCHEMA) {
                outer = inner(node, outer);
                kind = kindUnder(token, child);
            } else {
                kind = kind == Kind.VALUE ? Kind.VALUE : Kind.SCHEMA;
            }
            node = child;
        }
        return new Place(node, outer);
    }

    private static JsonNode element(JsonNode array, String token) {
        boolean index = token.matches("0|[1-9][0-9]{0,8}");
        return index ? array.get(Integer.parseInt(token)) : null;
    }

    private static Kind kindUnder(String keyword, JsonNode held) {
        return switch (keyword) {
            case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies" ->
                    held.isObject() ? Kind.MAP : Kind.VALUE;
            case "allOf", "anyOf", "oneOf", "prefixItems" -> held.isArray() ? Kind.LIST : Kind.VALUE;
            case "items" -> held.isArray() ? Kind.LIST : Kind.SCHEMA;
            case "additionalProperties", "additionalItems", "contains", "not", "if", "then", "else", "propertyNames",
                 "unevaluatedItems", "unevaluatedProperties", "contentSchema" -> Kind.SCHEMA;
            default -> Kind.VALUE;
        };
    }

    /** {@code reference} resolved against {@code base}, without its fragment. */
    private static URI against(URI base, String reference) throws URISyntaxException {
        URI relative = new URI(reference);
        // java.net.URI joins "https://host" and "a.json" as "https://hosta.json": an empty path is the root path.
        URI from = base.getRawAuthority() != null && base.getRawPath() != null && base.getRawPath().isEmpty()
                ? new URI(base.getScheme(), base.getRawAuthority(), "/", null, null) : base;
        URI resolved = from.resolve(relative).normalize();
        String text = resolved.toString();
        int hash = text.indexOf('#');
        return hash < 0 ? resolved : new URI(text.substring(0, hash));
    }

    /** A URI fragment percent-decoded (as UTF-8), or null when an escape is malformed. */
    private static String decoded(String fragment) {
        if (fragment.indexOf('%') < 0) {
            return fragment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < fragment.length(); i++) {
            int c = fragment.codePointAt(i);
            if (c != '%') {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c) - 1;
                continue;
            }
            int high = i + 2 < fragment.length() ? Character.digit(fragment.charAt(i + 1), 16) : -1;
            int low = high < 0 ? -1 : Character.digit(fragment.charAt(i + 2), 16);
            if (low < 0) {
                return null;
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
