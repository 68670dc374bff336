package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.policy.NumberReadingsDisagreeException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Set;

/**
 * The readings a coercing upstream makes of an argument whose shape is not the rule's (review BW): a tool typing a field
 * {@code z.coerce.number()} (the TypeScript SDK's zod) runs JavaScript's {@code Number(x)}, and one typing it
 * {@code z.coerce.boolean()} runs {@code Boolean(x)}.
 * <ul>
 *   <li>{@code Number(x)} of a string, as the double its text rounds to ({@code "1.5"}, {@code " 15e-1 "}: review BX; a
 *       test naming an integer has the string's other integer readings besides, {@link OtherIntegerReadings}), and where
 *       the other readings have nothing to say: {@code null} is 0, and a list is the number of its
 *       text, {@code String(list)}, the elements joined with commas. So {@code []}, {@code [null]}, {@code [[]]} are 0
 *       ({@code ""}), {@code [42]}, {@code ["42"]}, {@code [[42]]}, {@code [" 0x2A "]} are 42, and a list of two or more
 *       elements ({@code "1,2"}) or of a boolean or mapping is NaN, which equals nothing. The text is read as the module
 *       reads strings (decimal, {@code 0x}/{@code 0o}/{@code 0b}, blank as 0, and for a test naming an integer
 *       {@code parseInt} and the wraps too). Only a list of at most one element at each depth is read, so a long list
 *       costs one look at its size.</li>
 *   <li>{@code Boolean(x)}, JavaScript's truthiness: false for false, 0, -0, NaN, {@code ""} and null; true for everything
 *       else, {@code "false"}, {@code "no"}, {@code "0"}, {@code []} and {@code {}} included. Python's {@code bool(x)}:
 *       as JavaScript, except that an empty list or mapping is false. A lax boolean field (Jackson's coercion of
 *       {@code "true"}/{@code "false"}, pydantic's lax mode: {@code "yes"}, {@code "off"}, {@code "1"}, {@code 0}...):
 *       those strings and 0 and 1 as the boolean they spell.</li>
 * </ul>
 * A test naming a number ({@code eq: 42}, {@code in: [0, 42]}, an ordering) is decided on the first, a test naming a
 * boolean ({@code eq: true}, {@code in: [true]}, {@code ne: false}) on the second, and a test naming a boolean beside its
 * number ({@code in: [true, 1]}, an AGT {@code eq: true}) on the lax boolean reading alone (review BX); a reading
 * deciding otherwise than the value as sent denies ({@link NumberReadingsDisagreeException}), as the other readings do.
 */
public final class JavaScriptCoercions {

    private static final Set<String> LAX_TRUE = Set.of("true", "yes", "on", "1", "t", "y");
    private static final Set<String> LAX_FALSE = Set.of("false", "no", "off", "0", "f", "n");

    private JavaScriptCoercions() {
    }

    /**
     * True for an ordering ({@code gt}, {@code lt}...), or {@code eq}/{@code ne} of a number, or {@code in}/{@code not_in}
     * of a list holding a number (not a list of lists: {@code eq: [42]} names a list).
     */
    public static boolean namesANumber(String operator, JsonNode operand) {
        if (operand == null) {
            return false;
        }
        return switch (operator) {
            case "gt", "gte", "lt", "lte" -> operand.isNumber();
            case "eq", "ne" -> isFiniteNumber(operand);
            case "in", "not_in" -> operand.isArray() && anyElement(operand, JavaScriptCoercions::isFiniteNumber);
            default -> false;
        };
    }

    /**
     * True for {@code eq}/{@code ne} of a boolean, or {@code in}/{@code not_in} of a list holding true or false (not
     * both, and not with its number: {@code [true, 1]} is Python's {@code == 1}, as an AGT rule imports).
     */
    public static boolean namesABoolean(String operator, JsonNode operand) {
        if (operand == null) {
            return false;
        }
        return switch (operator) {
            case "eq", "ne" -> operand.isBoolean();
            // Both true and false: a type test ("is a bool"), which every boolean reading meets; not a test of which one.
            // A boolean listed with its number ([true, 1], what AGT's Python == 1 imports as) is that number, not a flag.
            case "in", "not_in" -> operand.isArray() && names(operand, true) != names(operand, false);
            default -> false;
        };
    }

    private static boolean names(JsonNode list, boolean which) {
        BigDecimal twin = which ? BigDecimal.ONE : BigDecimal.ZERO;
        return anyElement(list, e -> e.isBoolean() && e.booleanValue() == which)
                && !anyElement(list, e -> isFiniteNumber(e) && e.decimalValue().compareTo(twin) == 0);
    }

    private static boolean isFiniteNumber(JsonNode node) {
        return node.isNumber() && NumberReadings.isFinite(node);
    }

    private static boolean anyElement(JsonNode list, java.util.function.Predicate<JsonNode> which) {
        for (JsonNode element : list) {
            if (which.test(element)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True for {@code eq}/{@code ne} of a boolean, or {@code in}/{@code not_in} of a list holding true or false but not
     * both, whatever numbers it lists beside: a test of one flag, decided at least on the lax readings of a text
     * ({@link #decidedAlikeAsLaxBoolean}). {@code [true, 1]} (Python's {@code == 1}, what an AGT {@code eq: true} imports
     * as) is one; {@code [true, false]}, a type test, is not.
     */
    public static boolean namesOneBoolean(String operator, JsonNode operand) {
        if (operand == null) {
            return false;
        }
        return switch (operator) {
            case "eq", "ne" -> operand.isBoolean();
            case "in", "not_in" -> operand.isArray() && anyElement(operand, e -> e.isBoolean() && e.booleanValue())
                    != anyElement(operand, e -> e.isBoolean() && !e.booleanValue());
            default -> false;
        };
    }

    /**
     * True for the values {@link #number} reads: null, lists and strings (a number's own readings are elsewhere, and a
     * string's integer readings too, for a test naming an integer; its readings as a fraction are here).
     */
    static boolean coercedToNumber(JsonNode value) {
        return value != null && (value.isNull() || value.isArray() || value.isTextual());
    }

    /**
     * {@code String(value)} for a list that can be a number: its one element's text at any depth ({@code ""} for an empty
     * list or a null element, a number's JavaScript text); null for a list JavaScript reads as NaN (two or more elements,
     * a boolean or a mapping inside) and for anything but a list.
     */
    static String listText(JsonNode value) {
        if (value == null || !value.isArray()) {
            return null;
        }
        JsonNode node = value;
        while (node.isArray()) {
            if (node.size() == 0) {
                return "";
            }
            if (node.size() > 1) {
                return null; // "1,2": NaN however long the list
            }
            node = node.get(0);
        }
        if (node.isNull()) {
            return "";
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isNumber()) {
            return JavaScriptText.of(node.doubleValue());
        }
        return null; // "true", "[object Object]": NaN
    }

    /** JavaScript's {@code Number(value)} of null (0), a list or a string; null for NaN, an infinity, or another shape. */
    static JsonNode number(JsonNode value) {
        if (value == null) {
            return null;
        }
        if (value.isNull()) {
            return JsonNodeFactory.instance.numberNode(0L);
        }
        String text = value.isTextual() ? value.textValue() : listText(value);
        return text == null ? null : OtherIntegerReadings.javaScriptNumberOf(text);
    }

    /**
     * The test {@code test}, for a test naming a number, on JavaScript's {@code Number(value)} of a null or a list, and
     * (for a test naming an integer) on the other integer readings of the list's text; each must decide as
     * {@code onExact}.
     *
     * @throws NumberReadingsDisagreeException when one is decided otherwise
     */
    public static boolean decidedAlikeAsNumber(boolean onExact, JsonNode exact, JsonNode operand, boolean namesAnInteger,
                                               NumberReadings.Test test, String where) {
        if (!coercedToNumber(exact)) {
            return onExact;
        }
        String text = exact.isTextual() ? exact.textValue() : listText(exact);
        if (text != null && DecimalText.tooLongToRead(text)) {
            // Not read (parsing stays bounded); a reader without a limit may find a number in it: fail closed.
            throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " (a number longer than "
                    + DecimalText.MAX_CHARS + " characters),");
        }
        JsonNode read = number(exact);
        if (read != null && test.test(read) != onExact) {
            throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " (" + read
                    + " to JavaScript's Number()),");
        }
        if (exact.isTextual()) {
            // Jackson's double, Double and float fields parse with Double.parseDouble, which also takes a type suffix and
            // hexadecimal ("1.5d", "0x1.8p0", "4.2e1f" are 1.5, 1.5 and 42; Number() and parseInt read NaN, 0 and 4).
            JsonNode javaDouble = javaDouble(text);
            if (javaDouble != null && test.test(javaDouble) != onExact) {
                throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " (" + javaDouble
                        + " to a Java double field),");
            }
            // A string's integer readings are the caller's (OtherIntegerReadings). Its exact decimal (a BigDecimal field)
            // needs no test of its own: a rule's fraction is read as a double, which that decimal equals only where Number() does.
            return onExact;
        }
        if (namesAnInteger && text != null && !text.isEmpty()) {
            NumberReadings.decidedAlikeAsOtherIntegers(onExact, com.fasterxml.jackson.databind.node.TextNode.valueOf(text), operand,
                    test, where + " (as its text " + abbreviate(com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString()) + ")");
        }
        return onExact;
    }

    /**
     * Java's {@code Double.parseDouble(text)} (Jackson's coercion of a string into a {@code double}, {@code Double} or
     * {@code float} field): text trimmed as {@code String.trim()}, a decimal or {@code 0x} hexadecimal with a {@code p}
     * exponent, and a {@code d}/{@code f} suffix. Null for what it refuses or reads as no finite number, and for a text
     * that cannot be one (the common case: one look at the first character, no exception thrown).
     */
    static JsonNode javaDouble(String text) {
        if (text.length() > DecimalText.MAX_CHARS) {
            return null;
        }
        int i = 0;
        while (i < text.length() && text.charAt(i) <= ' ') {
            i++;
        }
        if (i == text.length() || "+-.0123456789".indexOf(text.charAt(i)) < 0) {
            return null;
        }
        double d;
        try {
            d = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return null;
        }
        if (!Double.isFinite(d)) {
            return null;
        }
        return d == Math.rint(d) && Math.abs(d) < 1e18 ? JsonNodeFactory.instance.numberNode((long) d) : JsonNodeFactory.instance.numberNode(d);
    }

    /**
     * The test {@code test}, for a test naming a boolean, on the value as JavaScript's {@code Boolean(x)}, Python's
     * {@code bool(x)} and a lax boolean field read it; each must decide as {@code onExact}. Nothing for an absent value
     * or a boolean.
     *
     * @throws NumberReadingsDisagreeException when one is decided otherwise
     */
    public static boolean decidedAlikeAsBoolean(boolean onExact, JsonNode exact, NumberReadings.Test test, String where) {
        if (exact == null || exact.isMissingNode() || exact.isBoolean()) {
            return onExact;
        }
        check(onExact, exact, javaScriptTruth(exact), "JavaScript's Boolean()", test, where);
        check(onExact, exact, pythonTruth(exact), "Python's bool()", test, where);
        check(onExact, exact, laxBoolean(exact), "a lax boolean field", test, where);
        return onExact;
    }

    /**
     * The test {@code test}, for a test naming one boolean beside its number ({@link #namesOneBoolean}: {@code in: [true, 1]},
     * an AGT {@code eq: true}), on the value as a lax boolean field reads it ({@code "true"}, {@code "yes"}, {@code [true]}
     * are true): it must decide as {@code onExact}. No truthiness reading there: the test names the number 1 too, and
     * would deny every other truthy number by it.
     *
     * @throws NumberReadingsDisagreeException when it is decided otherwise
     */
    public static boolean decidedAlikeAsLaxBoolean(boolean onExact, JsonNode exact, NumberReadings.Test test, String where) {
        if (exact == null || exact.isMissingNode() || exact.isBoolean() || exact.isNull()) {
            return onExact;
        }
        check(onExact, exact, laxBoolean(exact), "a lax boolean field", test, where);
        return onExact;
    }

    private static void check(boolean onExact, JsonNode exact, Boolean read, String reader, NumberReadings.Test test, String where) {
        if (read != null && test.test(BooleanNode.valueOf(read)) != onExact) {
            throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " (" + read + " to " + reader + "),");
        }
    }

    /** {@code Boolean(x)}: false for 0, -0, NaN, "" and null; true for every other number, string, list and mapping. */
    static boolean javaScriptTruth(JsonNode value) {
        if (value.isNull()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNumber()) {
            return !isZero(value);
        }
        if (value.isTextual()) {
            return !value.textValue().isEmpty();
        }
        return true;
    }

    /** {@code bool(x)}: as JavaScript, but an empty list or mapping is false. */
    static boolean pythonTruth(JsonNode value) {
        if (value.isContainerNode()) {
            return value.size() > 0;
        }
        return javaScriptTruth(value);
    }

    /**
     * A lax boolean field: "true"/"yes"/"on"/"1"... and 1 true, "false"/"no"/"off"/"0"... and 0 false; a list of one
     * element (at any depth) as its text, JavaScript's {@code String(list)} ({@code [true]} and {@code ["yes"]} are
     * true: a {@code z.coerce.string()} then compared, or a lax field fed that text); null otherwise.
     */
    static Boolean laxBoolean(JsonNode value) {
        if (value.isArray()) {
            String text = loneElementText(value);
            return text == null ? null : laxBoolean(TextNode.valueOf(text));
        }
        if (value.isTextual()) {
            String text = value.textValue().trim().toLowerCase(Locale.ROOT);
            return LAX_TRUE.contains(text) ? Boolean.TRUE : LAX_FALSE.contains(text) ? Boolean.FALSE : null;
        }
        if (value.isNumber() && NumberReadings.isFinite(value)) {
            BigDecimal number = value.decimalValue();
            return number.signum() == 0 ? Boolean.FALSE : number.compareTo(BigDecimal.ONE) == 0 ? Boolean.TRUE : null;
        }
        return null;
    }

    /**
     * {@code String(list)} of a list of one element at each depth: the element's text ("true" for {@code [[true]]}); null
     * for a list of two or more elements ("true,1", no lax word) or holding a mapping or null.
     */
    private static String loneElementText(JsonNode list) {
        JsonNode node = list;
        while (node.isArray()) {
            if (node.size() != 1) {
                return null;
            }
            node = node.get(0);
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return String.valueOf(node.booleanValue());
        }
        if (node.isNumber()) {
            return JavaScriptText.of(node.doubleValue());
        }
        return null;
    }

    private static boolean isZero(JsonNode number) {
        double d = number.doubleValue(); // the double JavaScript holds: 1e-400 is 0 there
        return d == 0 || Double.isNaN(d);
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
