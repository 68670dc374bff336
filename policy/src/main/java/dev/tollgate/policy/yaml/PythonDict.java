package dev.tollgate.policy.yaml;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.math.BigDecimal;
import java.util.List;

/**
 * A mapping PyYAML reads with a key that is not a string ({@code {401: unauthorized}} holds the integer 401,
 * {@code {yes: x}} the key True, {@code {~: x}} None), which a JSON object cannot hold. AGT's {@code in} looks a value up
 * among such keys as a Python dict does, by {@code ==}: the integer 401 (or 401.0, or True for the key 1) is in it, the
 * string "401" is not. Mappings whose keys are all strings stay JSON objects. Held in a document tree as a
 * {@link POJONode}.
 *
 * @param entries the keys (text, number, bool, null or {@link PythonDate} nodes) and values, in document order, no two keys
 *                equal ({@link #sameKey})
 */
public record PythonDict(List<Entry> entries) {

    public record Entry(JsonNode key, JsonNode value) {
    }

    public PythonDict {
        entries = List.copyOf(entries);
    }

    /**
     * Python's {@code item in dict} for a JSON value: a string among the string keys, a number or bool among the number
     * and bool keys by value ({@code 1 == 1.0 == True}); a list or mapping is unhashable (TypeError).
     *
     * @throws IllegalArgumentException for a list or mapping item, as Python raises
     */
    public boolean containsKey(JsonNode item) {
        if (item.isContainerNode() || item.isPojo() && ((POJONode) item).getPojo() instanceof PythonDict) {
            throw new IllegalArgumentException("unhashable " + (item.isArray() ? "a list" : "a dict") + " looked up in a dict");
        }
        for (Entry entry : entries) {
            if (sameKey(item, entry.key())) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of the keys is this string (a string reading of a value looks it up here). */
    public boolean hasStringKey(String text) {
        for (Entry entry : entries) {
            if (entry.key().isTextual() && entry.key().textValue().equals(text)) {
                return true;
            }
        }
        return false;
    }

    public boolean hasStringKeys() {
        return entries.stream().anyMatch(e -> e.key().isTextual());
    }

    /** Python's hash-and-{@code ==} of two hashable values: {@code 1}, {@code 1.0} and {@code True} are one key; NaN is no key's. */
    public static boolean sameKey(JsonNode a, JsonNode b) {
        if (a.isTextual() || b.isTextual()) {
            return a.isTextual() && b.isTextual() && a.textValue().equals(b.textValue());
        }
        if ((a.isNumber() || a.isBoolean()) && (b.isNumber() || b.isBoolean())) {
            BigDecimal x = exact(a);
            BigDecimal y = exact(b);
            if (x == null || y == null) {
                double dx = a.isBoolean() ? (a.booleanValue() ? 1 : 0) : a.doubleValue();
                double dy = b.isBoolean() ? (b.booleanValue() ? 1 : 0) : b.doubleValue();
                return dx == dy; // infinities: equal to themselves; NaN: to nothing
            }
            return x.compareTo(y) == 0;
        }
        if (a.isNull() || b.isNull()) {
            return a.isNull() && b.isNull();
        }
        return a.isPojo() && b.isPojo() && ((POJONode) a).getPojo().equals(((POJONode) b).getPojo());
    }

    /** The exact value of a finite number or bool; null for an infinity or NaN. */
    private static BigDecimal exact(JsonNode n) {
        if (n.isBoolean()) {
            return n.booleanValue() ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
            return null;
        }
        return n.decimalValue();
    }

    /** The entries with keys and values as JSON writes them ({@code {401: "unauthorized", true: 1}}), for messages. */
    @JsonValue
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        for (Entry entry : entries) {
            s.append(s.length() == 1 ? "" : ", ").append(entry.key()).append(": ").append(entry.value());
        }
        return s.append('}').toString();
    }
}
