package dev.tollgate.policy.yaml;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * A plain scalar as YAML 1.2's core schema types it, where Jackson (SnakeYAML's YAML 1.1 resolver) types it otherwise
 * (review CB): the reading {@link LocatedYaml} promises and policy/README.md documents.
 */
final class Yaml12 {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** YAML 1.2 core: {@code [-+]?[0-9]+} is decimal, whatever its leading zeros. */
    private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern OCTAL = Pattern.compile("0o[0-7]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern BOOL = Pattern.compile("true|True|TRUE|false|False|FALSE");

    private Yaml12() {
    }

    /**
     * A node to put in place of Jackson's (null: keep it), or why the form is refused: where it is ambiguous (refused in
     * policies and test files only), or, {@code alwaysRefused}, where YAML 1.2 has no reading of it at all (a tagged
     * {@code !!int 1_000}).
     */
    record Reading(JsonNode value, String refusal, boolean alwaysRefused) {
        static final Reading KEEP = new Reading(null, null, false);

        Reading(JsonNode value, String refusal) {
            this(value, refusal, false);
        }
    }

    private static final String TAG = "tag:yaml.org,2002:";
    private static final Pattern NULL = Pattern.compile("null|Null|NULL|~|");
    private static final Pattern INFINITE = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

    /**
     * The YAML 1.2 core reading of a scalar Jackson read as this token. An untagged plain scalar is typed by the schema;
     * a quoted or block one is text, as Jackson already reads it. A tagged one is what its tag says, read with YAML 1.2's
     * forms (Jackson reads {@code !!int 0777} as the YAML 1.1 octal 511, {@code ! 0777} too): {@code !} and {@code !!str}
     * are text; {@code !!int}, {@code !!float}, {@code !!bool} and {@code !!null} take YAML 1.2's forms of their type
     * and refuse any other; other tags keep Jackson's reading.
     */
    static Reading read(JsonToken token, ScalarEvent scalar) {
        String tag = scalar.getTag();
        String text = scalar.getValue();
        if (tag == null) {
            return scalar.isPlain() ? read(token, text) : Reading.KEEP;
        }
        if (tag.equals("!") || tag.equals(TAG + "str")) {
            return token == JsonToken.VALUE_STRING ? Reading.KEEP : new Reading(NODES.textNode(text), null);
        }
        return switch (tag.substring(tag.startsWith(TAG) ? TAG.length() : 0)) {
            case "int" -> tagged("!!int " + text, "int", DECIMAL.matcher(text).matches() ? integer(new BigInteger(text))
                    : OCTAL.matcher(text).matches() ? integer(new BigInteger(text.substring(2), 8))
                    : HEX.matcher(text).matches() ? integer(new BigInteger(text.substring(2), 16)) : null);
            case "float" -> tagged("!!float " + text, "float", FLOAT.matcher(text).matches()
                    && Double.isFinite(Double.parseDouble(text)) ? NODES.numberNode(Double.parseDouble(text)) : null);
            case "bool" -> tagged("!!bool " + text, "bool", BOOL.matcher(text).matches() ? NODES.booleanNode(text.equalsIgnoreCase("true")) : null);
            case "null" -> tagged("!!null " + text, "null", NULL.matcher(text).matches() ? NODES.nullNode() : null);
            default -> Reading.KEEP;
        };
    }

    /** A standard tag's YAML 1.2 value, or (null) a refusal: YAML 1.2 has no reading of the form under that tag. */
    private static Reading tagged(String written, String type, JsonNode value) {
        if (value != null) {
            return new Reading(value, null);
        }
        String why = type.equals("float") && !written.matches(".*[0-9].*")
                ? "infinity and not-a-number have no JSON form, which calls are read in"
                : type.equals("float") && FLOAT.matcher(written.substring(written.indexOf(' ') + 1)).matches()
                ? "the number is too large for a double" : "YAML 1.2 reads no " + type + " written so";
        return new Reading(null, "'" + written + "' is refused: " + why, true);
    }

    static Reading read(JsonToken token, String text) {
        if (INFINITE.matcher(text).matches()) {
            return tagged(text, "float", null);
        }
        switch (token) {
            case VALUE_NUMBER_INT -> {
                if (DECIMAL.matcher(text).matches()) {
                    // Jackson reads a leading zero as octal (1.1); 1.2 and JSON calls read decimal.
                    return text.matches("[-+]?0[0-9]+") ? new Reading(integer(new BigInteger(text)), null) : Reading.KEEP;
                }
                if (HEX.matcher(text).matches()) {
                    return Reading.KEEP;
                }
                return ambiguous(text, "a number (YAML 1.1)", "write the number without '_', '0b' or a sign before '0x', or quote it");
            }
            case VALUE_NUMBER_FLOAT -> {
                return FLOAT.matcher(text).matches() ? Reading.KEEP
                        : ambiguous(text, "a number (YAML 1.1)", "write the number without '_' or ':', or quote it");
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return BOOL.matcher(text).matches() ? Reading.KEEP
                        : ambiguous(text, "the boolean " + (token == JsonToken.VALUE_TRUE) + " (YAML 1.1)", "write true or false, or quote it");
            }
            case VALUE_STRING -> {
                if (DECIMAL.matcher(text).matches()) {
                    return new Reading(integer(new BigInteger(text)), null);
                }
                if (OCTAL.matcher(text).matches()) {
                    return new Reading(integer(new BigInteger(text.substring(2), 8)), null);
                }
                return Reading.KEEP;
            }
            default -> {
                return Reading.KEEP;
            }
        }
    }

    /** A form read as text by YAML 1.2 and as a boolean or number by YAML 1.1: text in the tree, refused where asked. */
    private static Reading ambiguous(String text, String yaml11, String fix) {
        return new Reading(NODES.textNode(text), "'" + text + "' is " + yaml11 + " but the text \"" + text + "\" in YAML 1.2, which this file "
                + "is read as: " + fix);
    }

    /** The node Jackson gives the same integer written in decimal (int, long, else big). */
    private static JsonNode integer(BigInteger value) {
        if (value.bitLength() < 32) {
            return NODES.numberNode(value.intValue());
        }
        return value.bitLength() < 64 ? NODES.numberNode(value.longValue()) : NODES.numberNode(value);
    }

    /** The tree with the nodes at these pointers replaced (the root itself when the pointer is empty). */
    static JsonNode retype(JsonNode root, Map<String, JsonNode> retyped) {
        JsonNode out = root;
        for (Map.Entry<String, JsonNode> e : retyped.entrySet()) {
            JsonPointer pointer = JsonPointer.compile(e.getKey());
            if (pointer.matches()) {
                out = e.getValue();
                continue;
            }
            JsonNode parent = out.at(pointer.head());
            JsonPointer last = pointer.last();
            if (parent instanceof ObjectNode object && object.has(last.getMatchingProperty())) {
                object.set(last.getMatchingProperty(), e.getValue());
            } else if (parent instanceof ArrayNode array && last.getMatchingIndex() >= 0 && last.getMatchingIndex() < array.size()) {
                array.set(last.getMatchingIndex(), e.getValue());
            }
        }
        return out;
    }
}
