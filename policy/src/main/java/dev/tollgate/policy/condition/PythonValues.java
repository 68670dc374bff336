package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.tollgate.policy.yaml.PythonDate;
import dev.tollgate.policy.yaml.PythonDict;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's view of JSON values, as AGT's evaluator sees the context dict: {@code ==}, ordering,
 * {@code in} and {@code str()}. Where Python would raise a TypeError (AGT then denies the whole call), these
 * throw {@link IllegalArgumentException}, which the evaluator turns into the rule's fail-closed deny.
 */
final class PythonValues {

    private PythonValues() {
    }

    /**
     * Python {@code a == b}: numbers by value (a bool is the number 0 or 1; an infinity equals itself, NaN nothing),
     * strings, lists and dicts deeply. A date or a dict with non-string keys from the YAML ({@link PythonDate},
     * {@link PythonDict}) equals no JSON value.
     */
    static boolean eq(JsonNode a, JsonNode b) {
        if (isNumeric(a) && isNumeric(b)) {
            if (!isFinite(a) || !isFinite(b)) {
                // An exact value (10**400 included) is never an infinity; NaN equals nothing.
                return !isFinite(a) && !isFinite(b) && asDouble(a) == asDouble(b);
            }
            return number(a).compareTo(number(b)) == 0;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!eq(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode other = b.get(e.getKey());
                if (other == null || !eq(e.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /**
     * Python {@code a <=> b} for the comparison operators: numbers (and bools) by value, two strings by code
     * point. Anything else raises, as in Python, a string against a number included: "5000" > 1000 is a
     * TypeError in AGT, which denies the call, and the rule denies here (reading "5000" as a number would allow
     * calls AGT denies).
     */
    static int compare(JsonNode value, JsonNode operand) {
        if (value.isTextual() && operand.isTextual()) {
            return compareCodePoints(value.textValue(), operand.textValue());
        }
        if (isNumeric(value) && isNumeric(operand)) {
            if (!isFinite(value) || !isFinite(operand)) {
                // An infinity (YAML's .inf) orders as in Python, every exact value between the two (10**400 included, which
                // a double would round to one); NaN is unordered: see ordered().
                return Double.compare(isFinite(value) ? 0.0 : asDouble(value), isFinite(operand) ? 0.0 : asDouble(operand));
            }
            return number(value).compareTo(number(operand));
        }
        throw new IllegalArgumentException("cannot order " + kind(value) + " against " + kind(operand));
    }

    /**
     * Python's {@code value <op> operand} for gt, gte, lt and lte: {@link #compare}, except that every ordering with a
     * NaN (YAML's {@code .nan}) is False in Python, not an error.
     */
    static boolean ordered(String operator, JsonNode value, JsonNode operand) {
        if (isNumeric(value) && isNumeric(operand) && (Double.isNaN(asDouble(value)) || Double.isNaN(asDouble(operand)))) {
            return false;
        }
        int c = compare(value, operand);
        return switch (operator) {
            case "gt" -> c > 0;
            case "gte" -> c >= 0;
            case "lt" -> c < 0;
            case "lte" -> c <= 0;
            default -> throw new IllegalStateException(operator);
        };
    }

    /** Python orders str by code point; String.compareTo orders UTF-16 units, which differs above U+FFFF. */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /**
     * Python {@code item in container}: membership in a list, substring of a string, key of a dict (of a
     * {@link PythonDict}'s typed keys by Python's {@code ==}).
     */
    static boolean in(JsonNode item, JsonNode container) {
        if (container.isArray()) {
            for (JsonNode element : container) {
                if (eq(item, element)) {
                    return true;
                }
            }
            return false;
        }
        if (container.isTextual()) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("'in <string>' requires a string, not " + kind(item));
            }
            return container.textValue().contains(item.textValue());
        }
        if (container.isPojo() && ((POJONode) container).getPojo() instanceof PythonDict dict) {
            return dict.containsKey(item);
        }
        if (container.isObject()) {
            if (item.isArray() || item.isObject() || pythonDict(item) != null) {
                // A list or dict is unhashable: Python raises looking it up among a dict's keys.
                throw new IllegalArgumentException("unhashable " + kind(item) + " in a dict");
            }
            return item.isTextual() && container.has(item.textValue());
        }
        throw new IllegalArgumentException(kind(container) + " is not a container");
    }

    /** Python {@code str(value)}: what AGT's {@code matches} searches. */
    static String str(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isPojo()) {
            return String.valueOf(((POJONode) value).getPojo()); // PythonDate's is Python's str()
        }
        return repr(value);
    }

    private static String repr(JsonNode value) {
        if (value.isTextual()) {
            String s = value.textValue();
            boolean doubleQuotes = s.indexOf('\'') >= 0 && s.indexOf('"') < 0;
            char q = doubleQuotes ? '"' : '\'';
            StringBuilder sb = new StringBuilder().append(q);
            for (int i = 0; i < s.length(); ) {
                int c = s.codePointAt(i);
                i += Character.charCount(c);
                switch (c) {
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c == q) {
                            sb.append('\\').append(q);
                        } else if (isPrintable(c)) {
                            sb.appendCodePoint(c);
                        } else {
                            // Python's repr escapes what str.isprintable() rejects, as backslash-x, -u or -U and hex digits.
                            sb.append(c <= 0xff ? String.format("\\x%02x", c)
                                    : c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
                        }
                    }
                }
            }
            return sb.append(q).toString();
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "True" : "False";
        }
        if (value.isNull()) {
            return "None";
        }
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        if (value.isNumber()) {
            return floatRepr(value.doubleValue());
        }
        StringBuilder sb = new StringBuilder();
        if (value.isArray()) {
            sb.append('[');
            for (int i = 0; i < value.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(repr(value.get(i)));
            }
            return sb.append(']').toString();
        }
        sb.append('{');
        boolean first = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); first = false) {
            Map.Entry<String, JsonNode> e = it.next();
            sb.append(first ? "" : ", ").append(repr(com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey())))
                    .append(": ").append(repr(e.getValue()));
        }
        return sb.append('}').toString();
    }

    /** Python's {@code repr(float)}: shortest digits, positional for exponents -5..15, else {@code 1e+16}. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = ShortestDigits.of(d);
        int exponent = exact.precision() - exact.scale() - 1;
        if (exponent >= -5 && exponent < 16) {
            String plain = exact.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = exact.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    /**
     * Python's {@code str.isprintable()} for one character: not a control, format, surrogate, private-use or
     * unassigned character, nor a separator other than the ASCII space.
     */
    private static boolean isPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                    Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    private static boolean isNumeric(JsonNode n) {
        return n.isNumber() || n.isBoolean();
    }

    private static boolean isFinite(JsonNode n) {
        return !(n.isDouble() || n.isFloat()) || Double.isFinite(n.doubleValue());
    }

    private static double asDouble(JsonNode n) {
        return n.isBoolean() ? (n.booleanValue() ? 1 : 0) : n.doubleValue();
    }

    /** The dict with non-string keys a node holds, or null. */
    static PythonDict pythonDict(JsonNode n) {
        return n.isPojo() && ((POJONode) n).getPojo() instanceof PythonDict dict ? dict : null;
    }

    private static BigDecimal number(JsonNode n) {
        if (n.isBoolean()) {
            return n.booleanValue() ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        if (n.isDouble() || n.isFloat()) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("cannot compare " + d);
            }
        }
        return n.decimalValue();
    }

    static String kind(JsonNode n) {
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isBoolean()) {
            return "a bool";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isPojo()) {
            return ((POJONode) n).getPojo() instanceof PythonDate date ? date.kind() : "a dict";
        }
        return n.isObject() ? "a dict" : "None";
    }
}
