package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Map;

/**
 * The two ways upstreams read a JSON number. The gateway, Python, Java (Jackson) and Go into an {@code int64} read
 * an integer exactly; JavaScript's {@code JSON.parse} (the official TypeScript SDK server) and Go into
 * {@code interface{}} read every number as a double. Up to 2^53 the two agree; beyond it a double holds only some
 * integers, and the others round to a neighbour: {@code 9007199254740993} is {@code 9007199254740992} to JavaScript.
 * A rule deciding on the exact value could then allow a call that a JavaScript upstream carries out on the very
 * value the rule denies. Floating-point numbers are read as doubles by everyone (the gateway included), so only
 * integers (and exact decimals, which the parser never makes) can read differently.
 *
 * <p>Whoever looks at a value that does not {@link #readAlike read alike} decides on both readings and must get
 * the same answer from each (see {@link dev.tollgate.policy.NumberReadingsDisagreeException}).
 */
public final class NumberReadings {

    /** Every integer of at most this magnitude is a double exactly. */
    private static final long EXACT_IN_DOUBLE = 1L << 53;

    private NumberReadings() {
    }

    /** True when every number in {@code value} (recursively) reads as the same value exactly and as a double. */
    public static boolean readAlike(JsonNode value) {
        if (value == null) {
            return true;
        }
        if (value.isContainerNode()) {
            for (JsonNode child : value) {
                if (!readAlike(child)) {
                    return false;
                }
            }
            return true;
        }
        return !value.isNumber() || numberReadsAlike(value);
    }

    private static boolean numberReadsAlike(JsonNode number) {
        if (number.isDouble() || number.isFloat() || number.isInt() || number.isShort()) {
            return true;
        }
        if (number.isLong() && Math.abs(number.longValue()) <= EXACT_IN_DOUBLE) {
            return true;
        }
        double d = number.doubleValue();
        return Double.isFinite(d) && new BigDecimal(d).compareTo(number.decimalValue()) == 0;
    }

    /**
     * {@code value} as a reader that holds every number in a double sees it: integers that do not fit become the
     * integer their double holds (an infinity beyond a double's range). The same instance when it reads alike.
     */
    public static JsonNode asDoubles(JsonNode value) {
        if (readAlike(value)) {
            return value;
        }
        if (value.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(value.size());
            value.forEach(element -> copy.add(asDoubles(element)));
            return copy;
        }
        if (value.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                copy.set(field.getKey(), asDoubles(field.getValue()));
            }
            return copy;
        }
        return doubleOf(value);
    }

    private static JsonNode doubleOf(JsonNode number) {
        double d = number.doubleValue();
        if (!Double.isFinite(d)) {
            return JsonNodeFactory.instance.numberNode(d);
        }
        if (!number.isIntegralNumber()) {
            return JsonNodeFactory.instance.numberNode(d);
        }
        BigInteger held = new BigDecimal(d).toBigIntegerExact();
        return held.bitLength() < Long.SIZE ? JsonNodeFactory.instance.numberNode(held.longValue())
                : JsonNodeFactory.instance.numberNode(held);
    }

    /** "9007199254740993 (9007199254740992 as a double)", or the value itself when it reads alike. */
    public static String describe(JsonNode value) {
        String exact = abbreviate(value.toString());
        return readAlike(value) ? exact : exact + " (" + abbreviate(asDoubles(value).toString()) + " as a double)";
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
