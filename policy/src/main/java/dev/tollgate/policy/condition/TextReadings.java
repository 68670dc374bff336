package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * What a reader binding a value to a string type keeps of it. Jackson's default coercion into a Java {@code String}
 * field keeps a number's text ({@code 42} is "42", {@code true} is "true"), as do {@code toString()} of the argument
 * map's value, Python's {@code str()} ("True", "42.0", "10000000.0") and JavaScript's {@code String()} ("42" for
 * {@code 42.0}, "1e+21"), which also joins a list ({@code ["42"]} is "42", {@code [1, 2]} is "1,2": zod's
 * {@code z.coerce.string()}, a template string). So a number, a boolean or a list may equal a rule's string, or contain
 * it, to some upstream while it does neither exactly.
 *
 * <p>Compared scalar by scalar: a number or boolean is "loosely equal" to a string when one of its texts is that string,
 * and to everything else as exactly; a list also when its joined text is the string. A rule is then decided on the
 * loose comparison too, and the two must agree (see {@link NumberReadings#decidedAlikeAsText}).
 */
final class TextReadings {

    /** Longest text a list is joined into for {@code contains}; longer ones cannot be told apart and deny. */
    static final int MAX_JOINED_CHARS = 65_536;
    /** A plain-digit text is written only up to this many digits (the parser refuses the zeros that would be longer). */
    private static final int MAX_PLAIN_DIGITS = 1_100;

    /** A list whose joined text is past {@link #MAX_JOINED_CHARS}: what a {@code contains} would find in it is unknown. */
    static final class TooLongToReadAsText extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLongToReadAsText() {
            super("a list too long to read as one text", null, false, false);
        }
    }

    private TextReadings() {
    }

    /** True for a value a string field reads as something else than it is: a number, a boolean, or a list. */
    static boolean hasTextReadings(JsonNode value) {
        return value != null && (value.isNumber() || value.isBoolean() || value.isArray() || value.isObject() && holdsOne(value));
    }

    private static boolean holdsOne(JsonNode container) {
        for (JsonNode element : container) {
            if (element.isNumber() || element.isBoolean() || element.isArray() || element.isObject() && holdsOne(element)) {
                return true;
            }
        }
        return false;
    }

    /** The distinct texts string-field readers make of a number or boolean; none for anything else. */
    static List<String> of(JsonNode scalar) {
        if (scalar.isBoolean()) {
            return scalar.booleanValue() ? List.of("true", "True") : List.of("false", "False");
        }
        if (!scalar.isNumber()) {
            return List.of();
        }
        Set<String> texts = new LinkedHashSet<>();
        double d = scalar.doubleValue();
        if (scalar.isIntegralNumber()) {
            texts.add(scalar.bigIntegerValue().toString());
        } else {
            BigDecimal exact = scalar.decimalValue();
            texts.add(exact.toString()); // Jackson's text for most spellings (it keeps the one sent), BigDecimal's toString
            if (Math.abs((long) exact.precision() - exact.scale()) <= MAX_PLAIN_DIGITS && Math.abs((long) exact.scale()) <= MAX_PLAIN_DIGITS) {
                texts.add(exact.toPlainString());
            }
            texts.add(Double.toString(d)); // Java's toString of the Double the argument map holds
            texts.add(PythonValues.floatRepr(d)); // Python's str() of a float
        }
        texts.add(JavaScriptText.of(d));
        return List.copyOf(texts);
    }

    /** JavaScript's {@code String(list)}: elements joined by commas, lists within joined alike, null as nothing. */
    static String joined(JsonNode list, int limit) {
        StringBuilder text = new StringBuilder();
        return join(list, text, limit) ? text.toString() : null;
    }

    private static boolean join(JsonNode list, StringBuilder text, int limit) {
        boolean first = true;
        for (JsonNode element : list) {
            if (!first) {
                text.append(',');
            }
            first = false;
            if (element.isArray()) {
                if (!join(element, text, limit)) {
                    return false;
                }
            } else if (element.isObject()) {
                text.append("[object Object]");
            } else if (element.isTextual()) {
                text.append(element.textValue());
            } else if (element.isNumber()) {
                text.append(JavaScriptText.of(element.doubleValue()));
            } else if (element.isBoolean()) {
                text.append(element.booleanValue());
            }
            if (text.length() > limit) {
                return false;
            }
        }
        return true;
    }

    /**
     * Java's {@code String.valueOf} of the value bound as Jackson binds an untyped argument (a {@code List} or
     * {@code Map}, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double}): {@code ["rm -rf /", 1.0]} is
     * "[rm -rf /, 1.0]", {@code {"a": "x"}} is "{a=x}"; null when longer than {@code limit}.
     */
    static String javaText(JsonNode value, int limit) {
        StringBuilder text = new StringBuilder();
        return java(value, text, limit) ? text.toString() : null;
    }

    private static boolean java(JsonNode value, StringBuilder text, int limit) {
        if (value.isArray()) {
            text.append('[');
            boolean first = true;
            for (JsonNode element : value) {
                text.append(first ? "" : ", ");
                first = false;
                if (!java(element, text, limit)) {
                    return false;
                }
            }
            text.append(']');
        } else if (value.isObject()) {
            text.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                text.append(first ? "" : ", ").append(field.getKey()).append('=');
                first = false;
                if (!java(field.getValue(), text, limit)) {
                    return false;
                }
            }
            text.append('}');
        } else if (value.isTextual()) {
            text.append(value.textValue());
        } else if (value.isIntegralNumber()) {
            text.append(value.bigIntegerValue());
        } else if (value.isNumber()) {
            text.append(Double.toString(value.doubleValue()));
        } else if (value.isBoolean()) {
            text.append(value.booleanValue());
        } else {
            text.append("null");
        }
        return text.length() <= limit;
    }

    /**
     * {@code exactEquals}, or a number, boolean or list that some string-field reader reads as the operand's string;
     * within lists and mappings, element by element.
     */
    static boolean looseEquals(JsonNode value, JsonNode operand, BiPredicate<JsonNode, JsonNode> exactEquals) {
        if (operand.isTextual() && (value.isNumber() || value.isBoolean() || value.isArray())) {
            return readsAs(value, operand.textValue()) || exactEquals.test(value, operand);
        }
        if (value.isArray() && operand.isArray()) {
            if (value.size() != operand.size()) {
                return false;
            }
            for (int i = 0, n = value.size(); i < n; i++) {
                if (!looseEquals(value.get(i), operand.get(i), exactEquals)) {
                    return false;
                }
            }
            return true;
        }
        if (value.isObject() && operand.isObject()) {
            if (value.size() != operand.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode other = operand.get(field.getKey());
                if (other == null || !looseEquals(field.getValue(), other, exactEquals)) {
                    return false;
                }
            }
            return true;
        }
        return exactEquals.test(value, operand);
    }

    /** Whether a string-field reader may read {@code value} (a number, boolean or list) as {@code text}. */
    static boolean readsAs(JsonNode value, String text) {
        if (value.isArray()) {
            String joined = joined(value, text.length());
            return text.equals(joined);
        }
        if (value.isNumber() && !couldBeTheTextOf(value, text)) {
            return false; // the common case: the string is no writing of this number's value at all
        }
        return of(value).contains(text);
    }

    /** Whether some text a string-field reader makes of {@code value} (a number, boolean or list) contains {@code part}. */
    static boolean containsText(JsonNode value, String part) {
        if (value.isArray()) {
            String joined = joined(value, MAX_JOINED_CHARS);
            if (joined == null) {
                throw new TooLongToReadAsText();
            }
            return joined.contains(part);
        }
        for (String text : of(value)) {
            if (text.contains(part)) {
                return true;
            }
        }
        return false;
    }

    /** A quick look before writing any text: a (finite) number's texts are decimals spelling its value or its double's. */
    private static boolean couldBeTheTextOf(JsonNode number, String text) {
        BigDecimal spelled = decimalOf(text);
        if (spelled == null) {
            return false;
        }
        if (spelled.compareTo(number.decimalValue()) == 0) {
            return true;
        }
        double d = number.doubleValue();
        return spelled.doubleValue() == d;
    }

    /** The decimal {@code text} writes ({@code 42}, {@code -4.2E+1}, {@code 1e+21}), or null. */
    private static BigDecimal decimalOf(String text) {
        if (text.isEmpty() || text.length() > MAX_PLAIN_DIGITS + 8) {
            return null;
        }
        char first = text.charAt(0);
        if (first != '-' && first != '+' && first != '.' && (first < '0' || first > '9')) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
