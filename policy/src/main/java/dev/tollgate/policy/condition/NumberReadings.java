package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.policy.NumberReadingsDisagreeException;
import dev.tollgate.policy.yaml.PythonDict;
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
 * <p>A third reading is what a reader binding the value to an integer type keeps. Jackson's default coercions into a
 * Java {@code long}, {@code int} or {@code BigInteger} field (a tool's arguments bound to a record or class) read
 * {@code 42.5} as 42 and the string {@code "42"} as 42, as do Python's {@code int(x)}, Spring AI's {@code Long}
 * parameters ({@code "42"}, {@code "4.2e1"}) and JavaScript's {@code Math.trunc} or {@code parseInt}. So in this
 * reading every number with a fraction is its integer part (toward zero, of the exact value: a double's integer
 * part is that or the double itself, which the double reading covers) and every string holding a decimal number is
 * that number's integer part. A rule freezing account 42 must not let {@code 42.5} or {@code "42"} through to an
 * upstream that acts on account 42. It is decided only by equality and membership tests naming an integer
 * ({@code eq: 42}, {@code in: [41, 42]}): an ordering or a pattern on a fractional value ({@code lt: 0.1} on 0.9)
 * would otherwise deny ordinary calls to upstreams that read a float.
 *
 * <p>The other way round, a reader binding a number or a boolean to a string type keeps a text of it ({@code 42} is
 * "42" to a Java {@code String} field through Jackson, {@code 42.0} is "42" to JavaScript's {@code String()}): tests
 * naming a string ({@code eq: "42"}, {@code contains: "42"}) are decided on those texts too ({@link TextReadings},
 * compared only when such a test meets such a value).
 *
 * <p>Each call carries the three readings of its arguments ({@link dev.tollgate.policy.CallDescription#argumentsAsDoubles},
 * {@link dev.tollgate.policy.CallDescription#argumentsAsIntegers}), made once; a condition whose value differs
 * between them decides on each and must get the same answer from all (see
 * {@link dev.tollgate.policy.NumberReadingsDisagreeException}).
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

    /**
     * True for the tests decided on the integer reading: {@code eq}, {@code ne}, {@code in} and {@code not_in} of an
     * integer or of a list or mapping holding one (native and AGT operators alike).
     *
     * @param booleansAreIntegers true for AGT's Python semantics, where {@code True == 1}: an AGT {@code eq: true} is
     *                            the native {@code in: [true, 1]} it imports as, and must be decided alike
     */
    public static boolean namesAnInteger(String operator, JsonNode operand, boolean booleansAreIntegers) {
        return switch (operator) {
            // contains of an integer in a string is a substring test: the text's integer reading has no substrings.
            case "eq", "ne", "in", "not_in" -> holdsAnInteger(operand, booleansAreIntegers);
            default -> false;
        };
    }

    /**
     * An integer, or a list or mapping holding one at any depth ({@code eq: [42]} against a {@code List<Long>} field), or
     * an AGT mapping with an integer key ({@code in: {401: x}}: "401" is no key to AGT, but 401 to an upstream reading the
     * field as an integer, so the two readings are decided as for a list).
     */
    private static boolean holdsAnInteger(JsonNode operand, boolean booleansAreIntegers) {
        if (operand == null) {
            return false;
        }
        PythonDict dict = PythonValues.pythonDict(operand);
        if (dict != null) {
            return dict.entries().stream().anyMatch(entry -> holdsAnInteger(entry.key(), booleansAreIntegers));
        }
        if (operand.isContainerNode()) {
            for (JsonNode element : operand) {
                if (holdsAnInteger(element, booleansAreIntegers)) {
                    return true;
                }
            }
            return false;
        }
        return operand.isIntegralNumber() || booleansAreIntegers && operand.isBoolean()
                || operand.isFloatingPointNumber() && isFinite(operand) && operand.decimalValue().stripTrailingZeros().scale() <= 0;
    }

    /** False for an infinity or NaN, which an AGT operand can be (YAML's {@code .inf}, {@code .nan}) and no decimal is. */
    public static boolean isFinite(JsonNode number) {
        return !(number.isDouble() || number.isFloat()) || Double.isFinite(number.doubleValue());
    }

    /**
     * The test {@code test} made on the exact value, once it has made the same on each further integer reading of it
     * ({@link OtherIntegerReadings}: wrapped to 32 or 64 bits, rounded down or up, JavaScript's {@code parseInt} and
     * {@code Number()}); for tests naming an integer. Only readings that change the value and can make one of the
     * integers {@code operand} names are made and tested.
     *
     * @throws NumberReadingsDisagreeException when one is decided otherwise
     */
    public static boolean decidedAlikeAsOtherIntegers(boolean onExact, JsonNode exact, JsonNode operand, Test test, String where) {
        return decidedAlikeAsOtherIntegers(onExact, exact, operand, false, test, where);
    }

    /** @param elementwise the test looks the operand up among the value's elements ({@code contains} on a list) */
    public static boolean decidedAlikeAsOtherIntegers(boolean onExact, JsonNode exact, JsonNode operand, boolean elementwise, Test test,
                                                      String where) {
        if (exact == null || exact.isMissingNode() || !elementwise && !mayMeet(exact, operand)) {
            return onExact;
        }
        for (OtherIntegerReadings.Reading reading : OtherIntegerReadings.READINGS) {
            if (!reading.reaches(operand)) {
                continue;
            }
            JsonNode read = eachNumber(exact, reading.of());
            if (read != exact && test.test(read) != onExact) {
                throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " (" + abbreviate(read.toString())
                        + " to an integer field, " + reading.name() + "),");
            }
        }
        return onExact;
    }

    /**
     * The operand of an equality or membership test with every string that spells an integer ({@code "42"},
     * {@code "042"}, {@code " 42"}, {@code "4.2e1"}) read as that integer; null when it holds none (most tests). A rule
     * naming the account {@code "42"} of a field an upstream parses into an integer must not pass {@code "042"} or
     * {@code "42abc"}, which that upstream reads as 42.
     */
    public static JsonNode integerOperand(String operator, JsonNode operand) {
        boolean equality = "eq".equals(operator) || "ne".equals(operator);
        boolean membership = ("in".equals(operator) || "not_in".equals(operator)) && operand != null && operand.isContainerNode();
        if (!equality && !membership || operand == null) {
            return null;
        }
        JsonNode read = eachNumber(operand, NumberReadings::spelledInteger);
        return read == operand ? null : read;
    }

    private static JsonNode spelledInteger(JsonNode node) {
        if (!node.isTextual()) {
            return node;
        }
        BigDecimal number = DecimalText.parse(node.textValue());
        if (number == null || number.signum() != 0 && number.stripTrailingZeros().scale() > 0) {
            return node; // not a number, or one with a fraction: no integer reader makes it
        }
        return integerNode(number.toBigInteger());
    }

    /**
     * For a test naming a string that spells an integer ({@link #integerOperand}): {@code integerTest}, the test with
     * that operand, on each integer reading of the value ({@link #asIntegers}, then {@link OtherIntegerReadings}) must
     * decide as {@code onExact}, the test of the exact value against the strings.
     *
     * @throws NumberReadingsDisagreeException when one is decided otherwise
     */
    public static boolean decidedAlikeAsSpelledIntegers(boolean onExact, JsonNode exact, JsonNode integerOperand, Test integerTest, String where) {
        if (exact == null || exact.isMissingNode() || !mayMeet(exact, integerOperand)) {
            return onExact;
        }
        JsonNode asInteger = asIntegers(exact);
        if (integerTest.test(asInteger) != onExact) {
            throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " (" + abbreviate(asInteger.toString())
                    + " to an integer field),");
        }
        return decidedAlikeAsOtherIntegers(onExact, exact, integerOperand, integerTest, where);
    }

    /**
     * Whether an integer reading of {@code value} could equal the operand or one of its elements: a reading keeps the
     * shape of a list or mapping (its size included), so a list of 200,000 numbers is never read element by element
     * against {@code eq: 42}, which no reading of it can equal.
     */
    private static boolean mayMeet(JsonNode value, JsonNode operand) {
        if (!value.isContainerNode()) {
            return true;
        }
        if (sameShape(value, operand)) {
            return true;
        }
        if (operand.isArray()) {
            for (JsonNode element : operand) {
                if (sameShape(value, element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sameShape(JsonNode value, JsonNode operand) {
        return value.getNodeType() == operand.getNodeType() && value.size() == operand.size();
    }

    /**
     * True for the tests decided on the text reading too: {@code eq}, {@code ne}, {@code in}, {@code not_in} and
     * {@code contains} of a string, or of a list or mapping holding one (native and AGT operators alike).
     */
    public static boolean namesAString(String operator, JsonNode operand) {
        return switch (operator) {
            case "eq", "ne", "in", "not_in", "contains" -> holdsAString(operand);
            default -> false;
        };
    }

    private static boolean holdsAString(JsonNode operand) {
        if (operand == null) {
            return false;
        }
        if (operand.isObject() && operand.size() > 0) {
            return true; // its keys: AGT's in looks a value up among them
        }
        PythonDict dict = PythonValues.pythonDict(operand);
        if (dict != null) {
            // Its string keys, as a JSON object's. Its number keys are matched by value alone, as a JSON object's keys are
            // matched by text alone: "401" is not among {401: x} to AGT, and is not read as an integer against it.
            return dict.hasStringKeys();
        }
        if (operand.isContainerNode()) {
            for (JsonNode element : operand) {
                if (holdsAString(element)) {
                    return true;
                }
            }
            return false;
        }
        return operand.isTextual();
    }

    /**
     * The test made on the exact value, {@code onExact}, once {@code asText}, the same test comparing numbers, booleans
     * and lists with strings as string fields read them ({@link TextReadings}), has decided alike; nothing to do for a
     * value holding none of them.
     *
     * @throws NumberReadingsDisagreeException when the text reading is decided otherwise, or a list is too long to read
     */
    public static boolean decidedAlikeAsText(boolean onExact, JsonNode exact, Test asText, String where) {
        if (!TextReadings.hasTextReadings(exact)) {
            return onExact;
        }
        return decidedAlikeAsTextReadings(onExact, exact, asText, where);
    }

    /**
     * {@link #decidedAlikeAsText} for a value the caller has found to have text readings for its test (a {@code matches}
     * on a list of strings or a mapping too, {@link ValueTest#decidesOnTextReadings}).
     */
    public static boolean decidedAlikeAsTextReadings(boolean onExact, JsonNode exact, Test asText, String where) {
        boolean read;
        try {
            read = asText.test(exact);
        } catch (TextReadings.TooLongToReadAsText e) {
            throw new NumberReadingsDisagreeException(where + ", a list longer than " + TextReadings.MAX_JOINED_CHARS
                    + " characters as text,");
        }
        if (read != onExact) {
            throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " (" + describeAsText(exact)
                    + " to a string field),");
        }
        return onExact;
    }

    private static String describeAsText(JsonNode value) {
        if (value.isArray()) {
            String joined = TextReadings.joined(value, 80);
            return joined == null ? "its elements joined" : TextNode.valueOf(joined).toString();
        }
        if (value.isObject()) {
            String javaText = TextReadings.javaText(value, 80);
            return javaText == null ? "its fields as text" : TextNode.valueOf(javaText).toString();
        }
        StringBuilder texts = new StringBuilder();
        for (String text : TextReadings.of(value)) {
            texts.append(texts.length() == 0 ? "" : " or ").append(TextNode.valueOf(text));
        }
        return abbreviate(texts.toString());
    }

    /** What a condition tests on each reading of a value. */
    @FunctionalInterface
    public interface Test {
        boolean test(JsonNode value);
    }

    /**
     * The decision {@code test} made on the exact value, once it has made the same on the value as a double and as
     * an integer (each the very instance of the exact value when it reads alike or is not to be decided on, and then
     * not tested again).
     *
     * @param where what was tested ("argument at /to"), for the message
     * @throws NumberReadingsDisagreeException when one reading is decided otherwise
     */
    public static boolean decidedAlike(boolean onExact, JsonNode exact, JsonNode asDouble, JsonNode asInteger, Test test, String where) {
        if (asDouble != exact && test.test(asDouble) != onExact) {
            throw new NumberReadingsDisagreeException(where + ", " + describe(exact, asDouble) + ",");
        }
        if (asInteger != exact && asInteger != asDouble && test.test(asInteger) != onExact) {
            throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " (" + abbreviate(asInteger.toString())
                    + " to an integer field),");
        }
        return onExact;
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
        return eachNumber(value, NumberReadings::asDouble);
    }

    /**
     * {@code value} as a reader binding each number to an integer type sees it: every number with a fraction is its
     * integer part (toward zero: {@code -2.5} is -2), every string holding a decimal number ({@code "42"},
     * {@code " -7 "}, {@code "4.2e1"}) that number's integer part. The same instances wherever nothing changes, as
     * {@link #asDoubles}.
     */
    public static JsonNode asIntegers(JsonNode value) {
        return eachNumber(value, NumberReadings::integerPart);
    }

    private static JsonNode asDouble(JsonNode node) {
        return !node.isNumber() || numberReadsAlike(node) ? node : doubleOf(node);
    }

    private static JsonNode integerPart(JsonNode node) {
        if (node.isNumber() && !isFinite(node)) {
            // NaN and the infinities (FastMCP's pre-parsed JSON text): no integer part (Python's int() raises); a BigDecimal
            // of one threw and failed the policy stage for the call (review RB).
            return node;
        }
        if (node.isFloatingPointNumber()) {
            BigDecimal exact = node.decimalValue();
            return exact.signum() == 0 || exact.stripTrailingZeros().scale() <= 0 ? node : integerNode(exact.toBigInteger());
        }
        if (node.isTextual()) {
            BigDecimal number = DecimalText.parse(node.textValue());
            return number == null ? node : integerNode(number.toBigInteger());
        }
        if (node.isBoolean()) {
            return JsonNodeFactory.instance.numberNode(node.booleanValue() ? 1L : 0L); // Python's int(True), pydantic's lax int
        }
        return node;
    }

    private static JsonNode integerNode(BigInteger value) {
        return value.bitLength() < Long.SIZE ? JsonNodeFactory.instance.numberNode(value.longValue()) : JsonNodeFactory.instance.numberNode(value);
    }

    /**
     * {@code value} with every scalar replaced by what {@code reading} makes of it, in one walk that copies only the
     * containers on the way to a changed one: every unchanged subtree is the very same instance.
     */
    private static JsonNode eachNumber(JsonNode value, java.util.function.UnaryOperator<JsonNode> reading) {
        if (value == null) {
            return null;
        }
        if (value.isArray()) {
            ArrayNode copy = null;
            for (int i = 0, n = value.size(); i < n; i++) {
                JsonNode element = value.get(i);
                JsonNode read = eachNumber(element, reading);
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
                JsonNode read = eachNumber(field.getValue(), reading);
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
        return value.isValueNode() ? reading.apply(value) : value;
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
