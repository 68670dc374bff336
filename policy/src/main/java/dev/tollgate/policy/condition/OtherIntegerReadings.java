package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The integer readings beyond truncation ({@link NumberReadings#asIntegers}) that common upstream code applies to an
 * argument it wants as an integer, each one way a value other than the rule's integer becomes it:
 * <ul>
 *   <li>wrapped to 32 bits: {@code ((Number) args.get("to")).intValue()} of the SDK's {@code Long} (the Java MCP SDK
 *       hands a handler a map of {@code Integer}/{@code Long}), JavaScript's {@code x | 0}, Go's {@code int32(x)}:
 *       {@code 4294967338} is 42;</li>
 *   <li>wrapped to 64 bits: {@code longValue()} of a {@code BigInteger}: {@code 18446744073709551658} is 42 (both
 *       wraps of the integer part of a fraction or of a numeric string too);</li>
 *   <li>rounded down and rounded up: {@code Math.floor}, {@code Math.ceil}, {@code Math.round} and Python's
 *       {@code round()} each give one of the two ({@code 41.6} is 42 to {@code Math.round});</li>
 *   <li>JavaScript's {@code parseInt}: the integer the text starts with, hexadecimal after {@code 0x}
 *       ({@code "42abc"}, {@code "42 Main St"}, {@code "0x2A"} are 42);</li>
 *   <li>JavaScript's {@code Number()} of a whole string in another base or of nothing: {@code "0x2A"},
 *       {@code "0o52"}, {@code "0b101010"} are 42, an empty or blank string is 0; and of a decimal, the double it rounds
 *       to ({@code "9007199254740993"} is 9007199254740992, {@code "42.99999999999999999"} is 43).</li>
 * </ul>
 * Each is a tree of the value at the rule's path, made only when an equality test naming an integer looks at a value
 * it changes, so calls no such rule reads pay nothing.
 */
final class OtherIntegerReadings {

    /**
     * One reading: its name, for the message, what it makes of a scalar (the node itself when nothing), and the
     * integers it can make: a wrap reaches only the integers of its width, so a rule naming none of them (an allow
     * list of 64-bit identifiers) is not decided on the 32-bit wrap of its own values.
     */
    record Reading(String name, UnaryOperator<JsonNode> of, Width width) {

        Reading(String name, UnaryOperator<JsonNode> of) {
            this(name, of, null);
        }

        /** Whether {@code operand} names an integer this reading can make (any, for the readings that are not wraps). */
        boolean reaches(JsonNode operand) {
            if (width == null) {
                return true;
            }
            if (operand.isContainerNode()) {
                for (JsonNode element : operand) {
                    if (reaches(element)) {
                        return true;
                    }
                }
                return false;
            }
            if (operand.isBoolean()) {
                return true; // AGT's True is 1
            }
            if (!operand.isNumber() || !NumberReadings.isFinite(operand)
                    || operand.isFloatingPointNumber() && operand.decimalValue().stripTrailingZeros().scale() > 0) {
                return false; // an infinity or NaN (YAML's .inf, .nan) is no integer
            }
            BigInteger value = operand.isFloatingPointNumber() ? operand.decimalValue().toBigInteger() : operand.bigIntegerValue();
            return value.bitLength() < width.bits();
        }
    }

    /** The integers a wrap makes: those of {@code bits} bits, sign included. */
    record Width(int bits) {
    }

    /** Longest digit run read: identifiers are far shorter, and parsing stays bounded. */
    private static final int MAX_DIGITS = 64;
    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

    static final List<Reading> READINGS = List.of(
            new Reading("wrapped to 32 bits", OtherIntegerReadings::wrappedTo32Bits, new Width(Integer.SIZE)),
            new Reading("wrapped to 64 bits", OtherIntegerReadings::wrappedTo64Bits, new Width(Long.SIZE)),
            new Reading("rounded down", node -> rounded(node, RoundingMode.FLOOR)),
            new Reading("rounded up", node -> rounded(node, RoundingMode.CEILING)),
            new Reading("parseInt", OtherIntegerReadings::parseInt),
            new Reading("Number()", OtherIntegerReadings::javaScriptNumber),
            new Reading("Number() as a double", OtherIntegerReadings::textAsDouble),
            // JavaScript wraps the double it holds ({@code x | 0}), not the exact value: 9007199254741035 is the double
            // 2^53+44, so 44; and code rounds, then wraps ({@code Math.round(x) | 0}: 4294967337.5 is 42).
            new Reading("as a double, wrapped to 32 bits", node -> wrappedTo32Bits(asDouble(node)), new Width(Integer.SIZE)),
            new Reading("rounded down, wrapped to 32 bits", node -> wrappedTo32Bits(rounded(node, RoundingMode.FLOOR)), new Width(Integer.SIZE)),
            new Reading("rounded up, wrapped to 32 bits", node -> wrappedTo32Bits(rounded(node, RoundingMode.CEILING)), new Width(Integer.SIZE)));

    private OtherIntegerReadings() {
    }

    /**
     * False for a value none of the readings changes: absent, null, a boolean, or an integer of 32 bits (the common
     * case, {@code 7} under {@code eq: 42}).
     */
    static boolean mayChange(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull() || value.isBoolean()) {
            return false;
        }
        return !(value.isInt() || value.isShort() || value.isLong() && value.longValue() == (int) value.longValue());
    }

    /**
     * What {@code x | 0} or {@code intValue()} keeps: the integer part of a number or of a string spelling one
     * ({@code 4294967338}, {@code 4294967338.5}, {@code "4294967338"}), wrapped to 32 bits when it does not fit.
     */
    private static JsonNode wrappedTo32Bits(JsonNode node) {
        BigInteger value = integerPartOf(node);
        return value == null || value.compareTo(INT_MIN) >= 0 && value.compareTo(INT_MAX) <= 0 ? node
                : JsonNodeFactory.instance.numberNode(value.intValue());
    }

    private static JsonNode wrappedTo64Bits(JsonNode node) {
        BigInteger value = integerPartOf(node);
        return value == null || value.bitLength() < Long.SIZE ? node : JsonNodeFactory.instance.numberNode(value.longValue());
    }

    /** The integer part of a number, or of a string holding a decimal number; null for anything else. */
    private static BigInteger integerPartOf(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isFloatingPointNumber()) {
            return node.decimalValue().toBigInteger();
        }
        if (node.isTextual()) {
            BigDecimal number = DecimalText.parse(node.textValue());
            return number == null ? null : number.toBigInteger();
        }
        return null;
    }

    /** The double a JavaScript reader holds for a number or a string spelling one (the node itself for anything else). */
    private static JsonNode asDouble(JsonNode node) {
        if (node.isTextual()) {
            return textAsDouble(node);
        }
        if (!node.isNumber()) {
            return node;
        }
        double d = node.doubleValue();
        if (!Double.isFinite(d)) {
            return node;
        }
        return d == Math.rint(d) ? integerNode(new BigDecimal(d).toBigInteger()) : JsonNodeFactory.instance.numberNode(d);
    }

    /** JavaScript's {@code Number(text)}: a string holding a decimal number as the double it rounds to ("9007199254740993"). */
    private static JsonNode textAsDouble(JsonNode node) {
        if (!node.isTextual()) {
            return node;
        }
        BigDecimal number = DecimalText.parse(node.textValue());
        if (number == null) {
            return node;
        }
        double d = number.doubleValue();
        if (!Double.isFinite(d)) {
            return node;
        }
        return d == Math.rint(d) ? integerNode(new BigDecimal(d).toBigInteger()) : JsonNodeFactory.instance.numberNode(d);
    }

    private static JsonNode rounded(JsonNode node, RoundingMode mode) {
        BigDecimal exact = node.isFloatingPointNumber() ? node.decimalValue()
                : node.isTextual() ? DecimalText.parse(node.textValue()) : null; // Math.round(Number("42.6"))
        if (exact == null) {
            return node;
        }
        if (exact.signum() == 0 || exact.stripTrailingZeros().scale() <= 0) {
            return node;
        }
        BigInteger value = exact.setScale(0, mode).toBigInteger();
        return value.bitLength() < Long.SIZE ? JsonNodeFactory.instance.numberNode(value.longValue()) : JsonNodeFactory.instance.numberNode(value);
    }

    /** ECMA-262 parseInt(string) with no radix: whitespace, a sign, then hexadecimal after 0x, else decimal digits. */
    private static JsonNode parseInt(JsonNode node) {
        if (!node.isTextual()) {
            return node;
        }
        String text = node.textValue();
        int i = skipJavaScriptSpace(text, 0);
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i++) == '-';
        }
        int radix = 10;
        if (i + 1 < text.length() && text.charAt(i) == '0' && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')) {
            radix = 16;
            i += 2;
        }
        BigInteger value = digits(text, i, radix, false);
        if (value == null) {
            return node;
        }
        // parseInt's result is a Number: beyond 2^53 the double it rounds to ("9007199254740993abc" is 9007199254740992).
        BigInteger read = new BigDecimal(value.doubleValue()).toBigInteger();
        return integerNode(negative ? read.negate() : read);
    }

    /** ECMA-262 Number(string) where it differs from a decimal's reading: 0x, 0o, 0b literals, and blank as 0. */
    private static JsonNode javaScriptNumber(JsonNode node) {
        if (!node.isTextual()) {
            return node;
        }
        String text = node.textValue();
        int start = skipJavaScriptSpace(text, 0);
        int end = text.length();
        while (end > start && isJavaScriptSpace(text.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return JsonNodeFactory.instance.numberNode(0L);
        }
        if (end - start < 3 || text.charAt(start) != '0') {
            return node;
        }
        int radix = switch (text.charAt(start + 1)) {
            case 'x', 'X' -> 16;
            case 'o', 'O' -> 8;
            case 'b', 'B' -> 2;
            default -> 0;
        };
        if (radix == 0) {
            return node;
        }
        BigInteger value = digits(text.substring(0, end), start + 2, radix, true);
        return value == null ? node : integerNode(value);
    }

    /**
     * JavaScript's {@code Number(text)} as a number node: blank is 0, {@code 0x}/{@code 0o}/{@code 0b} literals, and a
     * decimal the double it rounds to; null for NaN or an infinity (which equal no rule's number).
     */
    static JsonNode javaScriptNumberOf(String text) {
        JsonNode node = JsonNodeFactory.instance.textNode(text);
        JsonNode read = javaScriptNumber(node);
        if (read != node) {
            return read;
        }
        read = textAsDouble(node);
        return read != node ? read : null;
    }

    /**
     * The ASCII digits of {@code radix} from {@code from}: null when there are none or too many, or (whole) when
     * anything follows them.
     */
    private static BigInteger digits(String text, int from, int radix, boolean whole) {
        int start = from;
        // Leading zeros say nothing: "000...042" is 42 however many there are (and must not pad a value past the limit).
        while (start + 1 < text.length() && text.charAt(start) == '0' && isDigit(text.charAt(start + 1), radix)) {
            start++;
        }
        int end = start;
        while (end < text.length() && end - start <= MAX_DIGITS && isDigit(text.charAt(end), radix)) {
            end++;
        }
        if (end == start || end - start > MAX_DIGITS || whole && end != text.length()) {
            return null;
        }
        return new BigInteger(text.substring(start, end), radix);
    }

    private static boolean isDigit(char c, int radix) {
        return c < 128 && Character.digit(c, radix) >= 0;
    }

    private static int skipJavaScriptSpace(String text, int from) {
        int i = from;
        while (i < text.length() && isJavaScriptSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** StrWhiteSpaceChar: WhiteSpace (tab, VT, FF, space, NBSP, BOM, any Zs) and LineTerminator. */
    private static boolean isJavaScriptSpace(char c) {
        return c == '\t' || c == '\u000B' || c == '\f' || c == ' ' || c == '\u00A0' || c == '\uFEFF' || c == '\n' || c == '\r'
                || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    private static JsonNode integerNode(BigInteger value) {
        return value.bitLength() < Long.SIZE ? JsonNodeFactory.instance.numberNode(value.longValue()) : JsonNodeFactory.instance.numberNode(value);
    }
}
