package dev.tollgate.policy.yaml;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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

    /** A node to put in place of Jackson's (null: keep it), or why the form is refused where it is ambiguous. */
    record Reading(JsonNode value, String refusal) {
        static final Reading KEEP = new Reading(null, null);
    }

    static Reading read(JsonToken token, String text) {
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

    /** Where each line starts (index 0 is line 1). */
    static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n')) {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Whether the scalar starting at this line and column (1-based, in code points) is plain: only plain scalars are
     * typed by the schema, a quoted, block or tagged one is what it says. An anchor before it is skipped.
     */
    static boolean isPlain(String text, int[] lineStarts, int line, int column) {
        if (line < 1 || line > lineStarts.length || column < 1) {
            return false;
        }
        int at;
        try {
            at = text.offsetByCodePoints(lineStarts[line - 1], column - 1);
        } catch (IndexOutOfBoundsException e) {
            return false;
        }
        if (at < text.length() && text.charAt(at) == '&') {
            while (at < text.length() && !Character.isWhitespace(text.charAt(at))) {
                at++;
            }
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }
        return at < text.length() && "\"'!|>".indexOf(text.charAt(at)) < 0;
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
