package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The argument names a tool's {@code inputSchema} declares (or a policy reads), and the check that a call spells each
 * argument one way only.
 * <p>
 * Why: the gateway reads {@code mode}; a tool binding its arguments case-insensitively reads {@code MODE}, {@code Mode},
 * {@code moᴅe}... as the same field. Go's {@code encoding/json} matches struct fields by {@code bytes.EqualFold}-style
 * folding (the go-sdk's typed handlers did until v1.4.0, hand-written handlers still do), .NET's
 * {@code JsonSerializerDefaults.Web} (the C# SDK's {@code McpJsonUtilities.DefaultOptions}) reads object properties
 * ignoring case, Jackson with {@code ACCEPT_CASE_INSENSITIVE_PROPERTIES} (Spring) too. So {@code {"MODE": "DESTROY"}}
 * passes a rule on {@code mode}, and {@code {"mode": "SAFE", "Mode": "DESTROY"}} shows the rule one value and the tool
 * another. Pydantic binding by alias and by name reads {@code dry_run} as {@code dryRun} ({@link #bound}). Refused
 * ({@link #ambiguous}): two keys of one object equal under {@link #bound} (unless the schema declares each exactly:
 * {@code ID} beside {@code id}), and a key equal under it to a name the tool's schema declares without being spelled as
 * the schema spells it, or (where the schema declares no such name) to a name the policy reads without being spelled as
 * the policy reads it.
 * <p>
 * Read from the schema: {@code properties} (nested), {@code items}/{@code prefixItems} (array elements),
 * {@code allOf}/{@code anyOf}/{@code oneOf} (names of every branch), same-document {@code $ref} JSON pointers; bounded by
 * {@link #MAX_DEPTH}, {@link #MAX_NAMES} and {@link #MAX_VISITS} (past it: {@link #NONE}). Checked: the arguments object itself always (duplicates by folding need no
 * schema), and the objects under names the schema or the policy declares; free-form maps elsewhere are not (a map of
 * environment variables may hold {@code PATH} and {@code path}).
 */
public final class ArgumentNames {

    static final int MAX_DEPTH = 16;
    static final int MAX_NAMES = 2_000;
    /** The most (schema node, place) readings of one schema: past it the schema declares nothing ({@link #NONE}). */
    static final int MAX_VISITS = 20_000;

    /** Declares nothing: only duplicates by folding in the arguments object itself are refused. */
    public static final ArgumentNames NONE = new ArgumentNames(Map.of(), Set.of(), null);

    /** Exact declared names and what each declares under it (null: nothing). */
    private final Map<String, ArgumentNames> exact;
    /** The folded forms of the declared names. */
    private final Set<String> folded;
    /** What array elements at this place declare, or null. */
    private final ArgumentNames items;

    private ArgumentNames(Map<String, ArgumentNames> exact, Set<String> folded, ArgumentNames items) {
        this.exact = exact;
        this.folded = folded;
        this.items = items;
    }

    /**
     * The folding under which two names are one to some binder: per code point, the simple lower case of its simple upper
     * case. A union sound for Go ({@code unicode.SimpleFold} orbits: {@code K} U+212A KELVIN SIGN and {@code k},
     * {@code ſ} U+017F LONG S and {@code s}) and for .NET's ordinal ignore-case (equal simple upper case): Turkish dotless
     * {@code ı} (upper {@code I}) and dotted {@code İ} (lower {@code i}) fold to {@code i} too, as Go's {@code foldName}
     * takes them. Returns {@code name} itself when nothing changes (most names: lower-case ASCII).
     */
    public static String fold(String name) {
        int n = name.length();
        int i = 0;
        while (i < n) {
            char c = name.charAt(i);
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
                break;
            }
            i++;
        }
        if (i == n) {
            return name;
        }
        StringBuilder out = new StringBuilder(n).append(name, 0, i);
        while (i < n) {
            int cp = name.codePointAt(i);
            i += Character.charCount(cp);
            out.appendCodePoint(cp < 0x80 ? Character.toLowerCase(cp) : Character.toLowerCase(Character.toUpperCase(cp)));
        }
        return out.toString();
    }

    /**
     * The form under which two names are one to some binder: {@link #fold}ed, with {@code _} and {@code -} left out. Why:
     * Pydantic binds a field by its alias (the name the listed schema shows, {@code dryRun}) and, where the model sets
     * {@code validate_by_name}/{@code populate_by_name}, by its Python name too ({@code dry_run}); alias generators
     * ({@code to_camel}, {@code to_pascal}, {@code to_snake}, kebab) make one from the other, so {@code {"dry_run": false}}
     * reached such a tool as {@code dryRun} past a rule on {@code dryRun}. FastMCP's own argument model does not set it
     * (python-sdk {@code func_metadata.py}, {@code ArgModelBase}), but a parameter typed with the idiomatic
     * {@code ConfigDict(alias_generator=to_camel, populate_by_name=True)} model does, below it. Returns {@code name}
     * itself when nothing changes.
     */
    static String bound(String name) {
        String folded = fold(name);
        if (folded.indexOf('_') < 0 && folded.indexOf('-') < 0) {
            return folded;
        }
        StringBuilder out = new StringBuilder(folded.length());
        for (int i = 0; i < folded.length(); i++) {
            char c = folded.charAt(i);
            if (c != '_' && c != '-') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The names an input schema declares; {@link #NONE} for a missing, non-object or unreadable one. */
    public static ArgumentNames of(JsonNode inputSchema) {
        if (inputSchema == null || !inputSchema.isObject()) {
            return NONE;
        }
        try {
            Builder root = new Builder();
            new SchemaReader(inputSchema).read(inputSchema, root, 0);
            return root.build();
        } catch (RuntimeException unreadable) {
            return NONE;
        }
    }

    /**
     * The names a policy reads, from the JSON pointers into arguments it reads ({@code CompiledPolicy.argumentsRead()}):
     * {@code /mode}, {@code /options/mode}; a numeric segment stands for an array's elements.
     */
    public static ArgumentNames ofPointers(Collection<String> pointers) {
        Builder root = new Builder();
        int names = 0;
        for (String pointer : pointers) {
            if (pointer == null || !pointer.startsWith("/")) {
                continue;
            }
            Builder at = root;
            for (String segment : pointer.substring(1).split("/", -1)) {
                if (++names > MAX_NAMES) {
                    return root.build();
                }
                String name = segment.replace("~1", "/").replace("~0", "~");
                at = !name.isEmpty() && name.chars().allMatch(Character::isDigit) ? at.items() : at.child(name);
            }
        }
        return root.build();
    }

    /** Whether anything is declared (else only the arguments object's own duplicates are checked). */
    public boolean declares() {
        return !exact.isEmpty() || items != null;
    }

    /**
     * The JSON pointer of the first key of {@code arguments} another key of its object, or a declared name it is not,
     * equals under {@link #bound}; null when every name is spelled one way.
     *
     * @param declared what the tool's listed schema declares ({@link #NONE} when never listed)
     * @param read     what the route's policy reads ({@link #NONE} when nothing)
     */
    public static String ambiguous(JsonNode arguments, ArgumentNames declared, ArgumentNames read) {
        return arguments != null && arguments.isObject() ? check(arguments, declared, read, "", 0) : null;
    }

    private static String check(JsonNode value, ArgumentNames a, ArgumentNames b, String at, int depth) {
        if (depth > MAX_DEPTH) {
            return null;
        }
        if (value.isArray()) {
            ArgumentNames ai = a == null ? null : a.items;
            ArgumentNames bi = b == null ? null : b.items;
            if (ai == null && bi == null) {
                return null;
            }
            for (int i = 0; i < value.size(); i++) {
                String found = check(value.get(i), ai, bi, at + "/" + i, depth + 1);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (!value.isObject() || (a == null && b == null)) {
            return null;
        }
        // Folded form -> whether every key of that form so far is a name the tool's schema declares exactly.
        Map<String, Boolean> seen = null;
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String folded = bound(name);
            if (folded != name || seen != null) {
                // Only a name that changes under folding can equal another distinct name once folded: the rest cost nothing.
                if (seen == null) {
                    seen = new HashMap<>();
                    for (Iterator<String> before = value.fieldNames(); before.hasNext(); ) {
                        String earlier = before.next();
                        if (earlier.equals(name)) {
                            break;
                        }
                        seen.merge(bound(earlier), declaresExactly(a, earlier), Boolean::logicalAnd);
                    }
                }
                boolean schemaSpelt = declaresExactly(a, name);
                Boolean before = seen.put(folded, schemaSpelt);
                // Two keys one binder may read as one, unless the schema declares each as its own argument (ID beside id:
                // a binder reading them as one could not serve that schema; a case-sensitive one reads them as declared).
                if (before != null && !(before && schemaSpelt)) {
                    return at + "/" + escape(name);
                }
            }
            if (misspelt(a, b, name, folded)) {
                return at + "/" + escape(name);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            // Under a name declaring nothing below it (a free-form map, a scalar) nothing is checked.
            ArgumentNames ac = below(a, field.getKey());
            ArgumentNames bc = below(b, field.getKey());
            if (ac != null || bc != null) {
                String found = check(field.getValue(), ac, bc, at + "/" + escape(field.getKey()), depth + 1);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * Whether {@code name} equals under folding a name declared for this place without being spelled as declared. The
     * tool's schema decides where it declares that fold: a key must then be spelled as the schema spells it, whatever the
     * policy reads (a rule of another tool reading {@code Mode} does not make {@code Mode} this tool's {@code mode}). Where
     * the schema declares no such name (never listed, a name it does not declare), the policy's spelling decides.
     */
    private static boolean misspelt(ArgumentNames schema, ArgumentNames policy, String name, String folded) {
        if (foldsTo(schema, folded)) {
            return !declaresExactly(schema, name);
        }
        return foldsTo(policy, folded) && !declaresExactly(policy, name);
    }

    private static ArgumentNames below(ArgumentNames names, String name) {
        ArgumentNames child = names == null ? null : names.exact.get(name);
        return child == null || !child.declares() ? null : child;
    }

    private static boolean declaresExactly(ArgumentNames names, String name) {
        return names != null && names.exact.containsKey(name);
    }

    private static boolean foldsTo(ArgumentNames names, String folded) {
        return names != null && names.folded.contains(folded);
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ArgumentNames names && names.exact.equals(exact) && java.util.Objects.equals(names.items, items);
    }

    @Override
    public int hashCode() {
        return exact.hashCode() * 31 + java.util.Objects.hashCode(items);
    }

    /** A place being read: names merge across branches ({@code allOf}/{@code anyOf}/{@code oneOf}, {@code $ref}). */
    private static final class Builder {
        private final Map<String, Builder> children = new HashMap<>();
        private Builder items;

        Builder child(String name) {
            return children.computeIfAbsent(name, n -> new Builder());
        }

        Builder items() {
            if (items == null) {
                items = new Builder();
            }
            return items;
        }

        ArgumentNames build() {
            if (children.isEmpty() && items == null) {
                return NONE;
            }
            Map<String, ArgumentNames> exact = new HashMap<>();
            Set<String> folded = new HashSet<>();
            children.forEach((name, child) -> {
                ArgumentNames built = child.build();
                exact.put(name, built);
                folded.add(bound(name));
            });
            return new ArgumentNames(Map.copyOf(exact), Set.copyOf(folded), items == null ? null : items.build());
        }
    }

    private static final class SchemaReader {
        private final JsonNode document;
        /**
         * Each schema node read into each place, with the least depth it was read at. Reading a node into a place twice adds
         * no name (places merge), so a branch list of references back to one schema ({@code anyOf: [{$ref: #/properties/a}
         * x 40]}) is read once per place, not 40^depth times (review CJ); a read from nearer the root may still go deeper.
         */
        private final Map<Builder, Map<JsonNode, Integer>> read = new IdentityHashMap<>();
        private int names;
        private int visits;

        SchemaReader(JsonNode document) {
            this.document = document;
        }

        void read(JsonNode schema, Builder into, int depth) {
            if (schema == null || !schema.isObject() || depth > MAX_DEPTH) {
                return;
            }
            Integer readAt = read.computeIfAbsent(into, b -> new IdentityHashMap<>()).putIfAbsent(schema, depth);
            if (readAt != null) {
                if (readAt <= depth) {
                    return;
                }
                read.get(into).put(schema, depth);
            }
            if (++visits > MAX_VISITS) {
                // A schema needing this much reading is hostile or broken: it declares nothing (the caller reads NONE).
                throw new IllegalArgumentException("schema too large to read");
            }
            JsonNode properties = schema.get("properties");
            if (properties != null && properties.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> property = it.next();
                    if (++names > MAX_NAMES) {
                        return;
                    }
                    read(property.getValue(), into.child(property.getKey()), depth + 1);
                }
            }
            JsonNode items = schema.get("items");
            if (items != null && items.isObject()) {
                read(items, into.items(), depth + 1);
            }
            for (String tuple : new String[]{"prefixItems", "items"}) {
                JsonNode list = schema.get(tuple);
                if (list != null && list.isArray()) {
                    list.forEach(each -> read(each, into.items(), depth + 1));
                }
            }
            for (String branches : new String[]{"allOf", "anyOf", "oneOf"}) {
                JsonNode list = schema.get(branches);
                if (list != null && list.isArray()) {
                    list.forEach(each -> read(each, into, depth + 1));
                }
            }
            JsonNode ref = schema.get("$ref");
            if (ref != null && ref.isTextual() && ref.textValue().startsWith("#")) {
                String pointer = ref.textValue().substring(1);
                JsonNode target = pointer.isEmpty() ? document : pointer.startsWith("/") ? document.at(pointer) : null;
                if (target != null && !target.isMissingNode()) {
                    read(target, into, depth + 1); // depth bounds a reference cycle
                }
            }
        }
    }
}
