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
 * value the rule denies. Numbers written with a fraction or an exponent are read exactly by the gateway (a
 * BigDecimal, as Java BigDecimal fields and Python's parse_float=Decimal read them) and as a double by JavaScript and
 * most other code, so they can read differently too ({@code 10000.0000000000001} is 10000 as a double); and
 * JavaScript writes an integral double without a fraction, so {@code 1234.0} is the text "1234" to a
 * {@code matches} there.
 *
 * <p>Each call carries both readings of its arguments ({@link dev.tollgate.policy.CallDescription#argumentsAsDoubles}),
 * made once; a condition whose value differs between them decides on both and must get the same answer from each
 * (see {@link dev.tollgate.policy.NumberReadingsDisagreeException}).
 */
public final class NumberReadings {

    /** Every integer of at most this magnitude is a double exactly. */
    private static final long EXACT_IN_DOUBLE = 1L << 53;

    private NumberReadings() {
    }

    /** True when every number in {@code value} (recursively) reads as the same value exactly and as a double. */
    public static boolean readAlike(JsonNode value) {
        return asDoubles(value) == value;
    }

    private static boolean numberReadsAlike(JsonNode number) {
        if (number.isDouble() || number.isFloat() || number.isInt() || number.isShort()) {
            return true;
        }
        if (number.isLong() && Math.abs(number.longValue()) <= EXACT_IN_DOUBLE) {
            return true;
        }
        if (number.isBigDecimal()) {
            return decimalReadsAlike(number.decimalValue());
        }
        double d = number.doubleValue();
        return Double.isFinite(d) && new BigDecimal(d).compareTo(number.decimalValue()) == 0;
    }

    /**
     * A decimal as written reads alike when it is the decimal its double stands for: the shortest text that reads back
     * as that double ({@code 0.1}), which is how the policy compares a double with anything ({@code DoubleNode}'s
     * {@code decimalValue()}), so no rule can tell the two apart. Any decimal of at most 15 significant digits in a
     * double's normal range is one (a double holds 15 decimal digits), without computing it; {@code 10000.0000000000001}
     * (18 digits, 10000 as a double) is not.
     */
    private static boolean decimalReadsAlike(BigDecimal value) {
        if (writtenAsFractionOfAnInteger(value)) {
            return false; // the same value, but JavaScript's text of it is another: 1234.0 is "1234" there, for a matches
        }
        if (value.scale() > 0 && !value.unscaledValue().testBit(0)
                && value.unscaledValue().mod(java.math.BigInteger.TEN).signum() == 0) {
            return false; // 0.10 is the double 0.1, whose text is "0.1" to JavaScript: not what a matches saw here
        }
        int exponent = value.precision() - value.scale() - 1;
        if (value.precision() <= DIGITS_A_DOUBLE_HOLDS && exponent > -NORMAL_EXPONENT && exponent <= LARGEST_PLAIN_EXPONENT) {
            return true;
        }
        double d = value.doubleValue();
        return Double.isFinite(d) && BigDecimal.valueOf(d).compareTo(value) == 0;
    }

    /** Every decimal of this many significant digits reads back from its double as written (DBL_DIG). */
    private static final int DIGITS_A_DOUBLE_HOLDS = 15;
    /** Decimal exponents well inside a double's normal range (about 1e-307 to 1e308). */
    private static final int NORMAL_EXPONENT = 300;
    /**
     * Up to 10^20 Java 17's {@code Double.toString} (by which the policy compares a double, through
     * {@code BigDecimal.valueOf}) gives the shortest text; above it, it does not always (JDK-4511638: 2e23 prints as
     * 1.9999999999999998E23), so larger decimals are compared with their double's text the slow way.
     */
    private static final int LARGEST_PLAIN_EXPONENT = 20;

    /**
     * {@code 1234.0}, {@code 1E+3}, {@code 0.0}: an integer below 10^21 (which JavaScript writes in plain digits, and
     * larger ones with an exponent) written with a fraction or an exponent.
     */
    private static boolean writtenAsFractionOfAnInteger(BigDecimal value) {
        if (value.scale() == 0) {
            return false;
        }
        return value.signum() == 0 || value.precision() - value.scale() <= 21 && value.stripTrailingZeros().scale() <= 0;
    }

    /**
     * {@code value} as a reader that holds every number in a double sees it: integers that do not fit become the
     * integer their double holds (an infinity beyond a double's range). One walk; only the containers on the way to a
     * changed number are copied, and every unchanged subtree is the very same instance, so a caller can tell in
     * constant time whether the value at a path reads alike ({@code asDoubles(v).at(p) == v.at(p)}).
     */
    public static JsonNode asDoubles(JsonNode value) {
        if (value == null) {
            return null;
        }
        if (value.isArray()) {
            ArrayNode copy = null;
            for (int i = 0, n = value.size(); i < n; i++) {
                JsonNode element = value.get(i);
                JsonNode read = asDoubles(element);
                if (read != element && copy == null) {
                    copy = JsonNodeFactory.instance.arrayNode(n);
                    for (int j = 0; j < i; j++) {
                        copy.add(value.get(j));
                    }
                }
                if (copy != null) {
                    copy.add(read);
                }
            }
            return copy == null ? value : copy;
        }
        if (value.isObject()) {
            ObjectNode copy = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode read = asDoubles(field.getValue());
                if (read != field.getValue() && copy == null) {
                    copy = JsonNodeFactory.instance.objectNode();
                    for (Iterator<Map.Entry<String, JsonNode>> before = value.fields(); before.hasNext(); ) {
                        Map.Entry<String, JsonNode> earlier = before.next();
                        if (earlier.getKey().equals(field.getKey())) {
                            break;
                        }
                        copy.set(earlier.getKey(), earlier.getValue());
                    }
                }
                if (copy != null) {
                    copy.set(field.getKey(), read);
                }
            }
            return copy == null ? value : copy;
        }
        return value.isNumber() && !numberReadsAlike(value) ? doubleOf(value) : value;
    }

    private static JsonNode doubleOf(JsonNode number) {
        double d = number.doubleValue();
        if (!Double.isFinite(d)) {
            return JsonNodeFactory.instance.numberNode(d);
        }
        if (!number.isIntegralNumber() && d != Math.rint(d)) {
            return JsonNodeFactory.instance.numberNode(d);
        }
        // An integral double is an integer to JavaScript, written without a fraction: 1234.0 reads as 1234.
        BigInteger held = new BigDecimal(d).toBigIntegerExact();
        return held.bitLength() < Long.SIZE ? JsonNodeFactory.instance.numberNode(held.longValue())
                : JsonNodeFactory.instance.numberNode(held);
    }

    /** "9007199254740993 (9007199254740992 as a double)": a value and its double reading, for messages. */
    public static String describe(JsonNode exact, JsonNode asDouble) {
        return abbreviate(exact.toString()) + " (" + abbreviate(asDouble.toString()) + " as a double)";
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
