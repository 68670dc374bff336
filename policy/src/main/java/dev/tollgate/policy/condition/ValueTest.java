package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One comparison applied to a value found in the call (an argument at a JSON pointer, or a claim). The
 * value is null when absent. Operators: eq, ne, in, not_in, matches, contains, gt, gte, lt, lte, exists.
 * Numbers compare by value (1 eq 1.0); {@code matches} is an RE2 regular expression searched anywhere in the
 * text ({@code find}), so anchor it with ^ and $ to match the whole value; see {@link LinearRegex} for what
 * is refused and the longest text it scans.
 */
public final class ValueTest {

    public static final List<String> OPERATORS = List.of("eq", "ne", "in", "not_in", "matches", "contains", "gt", "gte", "lt", "lte", "exists");

    private final String operator;
    private final JsonNode operand;
    private final LinearRegex regex;
    private final TextNormalization normalization;
    private final boolean namesAnInteger;
    private final boolean namesAString;
    /** For {@code matches}: {@link PaddedText#trimmedMayMatchWhereExactDoesNot}, worked out once. */
    private final boolean trimmedMayMatchWhereExactDoesNot;
    /** A test naming a number or a boolean: decided on JavaScript's coercions too ({@link JavaScriptCoercions}). */
    private final boolean namesANumber;
    private final boolean namesABoolean;
    /** A test of one flag listed beside its number ({@code in: [true, 1]}): decided on the lax boolean readings only. */
    private final boolean namesOneBooleanBesideItsNumber;
    /** {@code contains} of an integer: membership when the value is a list, decided on its elements' integer readings. */
    private final boolean containsAnInteger;
    /** This test with the strings of its operand that spell an integer read as integers; null when there are none. */
    private final ValueTest integerTest;

    private ValueTest(String operator, JsonNode operand, LinearRegex regex, TextNormalization normalization) {
        this.operator = operator;
        this.operand = operand;
        this.regex = regex;
        this.normalization = normalization;
        this.namesAnInteger = NumberReadings.namesAnInteger(operator, operand, false);
        this.namesAString = NumberReadings.namesAString(operator, operand);
        this.trimmedMayMatchWhereExactDoesNot = "matches".equals(operator) && operand != null
                && PaddedText.trimmedMayMatchWhereExactDoesNot(operand.asText());
        this.namesANumber = JavaScriptCoercions.namesANumber(operator, operand);
        this.namesABoolean = JavaScriptCoercions.namesABoolean(operator, operand);
        this.namesOneBooleanBesideItsNumber = !namesABoolean && JavaScriptCoercions.namesOneBoolean(operator, operand);
        this.containsAnInteger = "contains".equals(operator) && NumberReadings.namesAnInteger("eq", operand, false);
        JsonNode integerOperand = NumberReadings.integerOperand(operator, operand);
        this.integerTest = integerOperand == null ? null : new ValueTest(operator, integerOperand, regex, normalization);
    }

    /**
     * For an equality or membership test naming a string that spells an integer ({@code eq: "42"}): the same test
     * naming the integer, decided on the value's integer readings (see {@link NumberReadings#integerOperand}); null
     * otherwise.
     */
    public ValueTest integerTest() {
        return integerTest;
    }

    /**
     * True for an equality, membership or {@code contains} test naming a string ({@code eq: "42"}): the tests decided
     * on the text a string field keeps of a number, boolean or list too (see {@link TextReadings}).
     */
    public boolean namesAString() {
        return namesAString;
    }

    /**
     * True for an equality or membership test naming a string ({@code eq: "DESTROY"}, {@code not_in: ["a"]}) and for
     * {@code matches}: decided on a padded string trimmed too ({@link PaddedText}); a {@code matches} that found nothing in
     * {@code exact} only where its pattern could find something in the trimmed text
     * ({@link PaddedText#trimmedMayMatchWhereExactDoesNot}).
     */
    public boolean decidesOnTrimmedText(boolean exact) {
        return PaddedText.decidesOnTrimmedText(operator, namesAString)
                && (exact || !"matches".equals(operator) || trimmedMayMatchWhereExactDoesNot);
    }

    /**
     * True when this test is decided on {@code value}'s texts too ({@link #testAsText}, checked against {@link #test}): a
     * test naming a string on a number, boolean or list ({@link #namesAString}), and {@code matches} on any value but a
     * string (a number's texts, a list's JavaScript join and Java {@code toString}, a mapping's Java {@code toString}).
     */
    public boolean decidesOnTextReadings(JsonNode value) {
        if (regex != null) {
            return value != null && (value.isNumber() || value.isBoolean() || value.isContainerNode());
        }
        return namesAString && TextReadings.hasTextReadings(value);
    }

    /**
     * True for an equality or membership test naming an integer ({@code eq: 42}, {@code in: [41, 42]}): the tests
     * decided on the value's integer reading too (see {@link NumberReadings}).
     */
    public boolean namesAnInteger() {
        return namesAnInteger;
    }

    /**
     * True when this test is decided on {@code value}'s integer readings: it names an integer, or it is {@code contains}
     * of an integer on a list ({@code List<Long>} reads {@code ["42"]} and {@code [42.5]} as holding 42).
     */
    public boolean decidesOnIntegerReadings(JsonNode value) {
        return namesAnInteger || containsAnInteger && value != null && value.isArray();
    }

    /**
     * True for a test naming a number ({@link JavaScriptCoercions#namesANumber}): decided on JavaScript's
     * {@code Number(x)} of a null or a list too.
     */
    public boolean namesANumber() {
        return namesANumber;
    }

    /**
     * True for a test naming a boolean ({@link JavaScriptCoercions#namesABoolean}): decided on the value's truthiness
     * too.
     */
    public boolean namesABoolean() {
        return namesABoolean;
    }

    /**
     * True for a test naming one boolean beside its number ({@code in: [true, 1]}, what an AGT {@code eq: true} imports
     * as): decided on the value as a lax boolean field reads it too, not on its truthiness
     * ({@link JavaScriptCoercions#decidedAlikeAsLaxBoolean}).
     */
    public boolean namesOneBooleanBesideItsNumber() {
        return namesOneBooleanBesideItsNumber;
    }

    /** The rule's operand, normalized as the value is. */
    public JsonNode operand() {
        return operand;
    }

    /** Validates the operand for the operator at load time. */
    public static ValueTest compile(String operator, JsonNode operand) {
        return compile(operator, operand, TextNormalization.NONE);
    }

    /** With the value (and the operands it is compared with) brought to a normal form first. */
    public static ValueTest compile(String operator, JsonNode operand, TextNormalization normalization) {
        ValueTest plain = compilePlain(operator, operand);
        if (normalization.isNone()) {
            return plain;
        }
        JsonNode normalizedOperand = "matches".equals(operator) || "exists".equals(operator) ? operand : normalization.apply(operand);
        return new ValueTest(operator, normalizedOperand, plain.regex, normalization);
    }

    private static ValueTest compilePlain(String operator, JsonNode operand) {
        switch (operator) {
            case "eq", "ne", "contains" -> requireScalarOrAny(operand);
            case "in", "not_in" -> {
                if (!operand.isArray()) {
                    throw new IllegalArgumentException(operator + " needs a list");
                }
            }
            case "gt", "gte", "lt", "lte" -> {
                if (!operand.isNumber()) {
                    throw new IllegalArgumentException(operator + " needs a number");
                }
            }
            case "exists" -> {
                if (!operand.isBoolean()) {
                    throw new IllegalArgumentException("exists needs true or false");
                }
            }
            case "matches" -> {
                if (!operand.isTextual()) {
                    throw new IllegalArgumentException("matches needs a regular expression string");
                }
                return new ValueTest(operator, operand, LinearRegex.compile(operand.textValue()), TextNormalization.NONE);
            }
            default -> throw new IllegalArgumentException("unknown operator '" + operator + "' (expected one of " + String.join(", ", OPERATORS) + ")");
        }
        return new ValueTest(operator, operand, null, TextNormalization.NONE);
    }

    private static void requireScalarOrAny(JsonNode operand) {
        if (operand == null || operand.isMissingNode()) {
            throw new IllegalArgumentException("needs a value");
        }
    }

    /** @throws dev.tollgate.policy.RegexInputTooLongException when {@code matches} meets a value too long to scan */
    public boolean test(JsonNode rawValue) {
        JsonNode value = normalization.apply(rawValue);
        boolean present = value != null && !value.isMissingNode() && !value.isNull();
        return switch (operator) {
            case "exists" -> present == operand.booleanValue();
            case "eq" -> present && same(value, operand);
            case "ne" -> !present || !same(value, operand);
            case "in" -> present && anySame(operand, value);
            case "not_in" -> !present || !anySame(operand, value);
            case "matches" -> present && value.isValueNode() && regex.find(value.asText());
            case "contains" -> present && contains(value, operand);
            case "gt" -> present && compareNumbers(number(value), operand) > 0;
            case "gte" -> present && compareNumbers(number(value), operand) >= 0;
            case "lt" -> present && compareNumbers(number(value), operand) < 0;
            case "lte" -> present && compareNumbers(number(value), operand) <= 0;
            default -> throw new IllegalStateException(operator);
        };
    }

    /**
     * This test with numbers, booleans and lists compared with the operand's strings as string fields read them
     * ({@link TextReadings#looseEquals}): what {@link NumberReadings#decidedAlikeAsText} checks against {@link #test}.
     * Only the tests naming a string differ from {@link #test}.
     */
    public boolean testAsText(JsonNode rawValue) {
        if (!normalization.isNone() && rawValue != null && rawValue.isContainerNode()) {
            return testAsNormalizedTexts(rawValue);
        }
        return testAsTextOfNormalized(rawValue);
    }

    /**
     * A list or mapping under {@code normalize:}: the upstream normalizes the text it makes of the whole value (zod's
     * {@code String(list)} joins, then the tool resolves the path), not each element, and not only the top level (review
     * BM: {@code ["/etc/", "/../shadow"]} is "/etc/shadow" once joined and resolved; {@code [["/tmp/../etc/passwd"]]}
     * was never normalized). So the value's texts (its JavaScript join, its Java {@code toString}) are made from the raw
     * value and normalized whole, and the test holds on any of them, besides on the value normalized element by element.
     */
    private boolean testAsNormalizedTexts(JsonNode rawValue) {
        boolean byElements = testAsTextOfNormalized(rawValue);
        List<String> texts = new ArrayList<>(2);
        if (rawValue.isArray()) {
            texts.add(readable(TextReadings.joined(rawValue, TextReadings.MAX_JOINED_CHARS)));
        }
        texts.add(readable(TextReadings.javaText(rawValue, TextReadings.MAX_JOINED_CHARS)));
        return switch (operator) {
            // ne and not_in hold when no text equals: every text must pass them too.
            case "ne", "not_in" -> byElements && texts.stream().allMatch(this::testText);
            case "eq", "in", "contains", "matches" -> byElements || texts.stream().anyMatch(this::testText);
            default -> byElements;
        };
    }

    private static String readable(String text) {
        if (text == null) {
            throw new TextReadings.TooLongToReadAsText();
        }
        return text;
    }

    private boolean testAsTextOfNormalized(JsonNode rawValue) {
        JsonNode value = normalization.apply(rawValue);
        boolean present = value != null && !value.isMissingNode() && !value.isNull();
        return switch (operator) {
            case "eq" -> present && TextReadings.looseEquals(value, operand, ValueTest::same);
            case "ne" -> !present || !TextReadings.looseEquals(value, operand, ValueTest::same);
            case "in" -> present && anyLooseSame(operand, value);
            case "not_in" -> !present || !anyLooseSame(operand, value);
            case "contains" -> present && containsAsText(value, operand);
            case "matches" -> present && matchesAsText(value);
            default -> test(rawValue);
        };
    }

    /**
     * {@code matches} on any text a string-field reader makes of the value: a number's or boolean's texts
     * ({@link TextReadings#of}), a list's JavaScript join and Java {@code toString} ({@code ["rm -rf /"]} is
     * "rm -rf /" and "[rm -rf /]"), a mapping's Java {@code toString}. True when one of them is matched.
     */
    private boolean matchesAsText(JsonNode value) {
        if (value.isTextual()) {
            return regex.find(value.textValue());
        }
        if (value.isContainerNode()) {
            if (value.isArray()) {
                String joined = TextReadings.joined(value, TextReadings.MAX_JOINED_CHARS);
                if (joined == null) {
                    throw new TextReadings.TooLongToReadAsText();
                }
                if (regex.find(joined)) {
                    return true;
                }
            }
            String javaText = TextReadings.javaText(value, TextReadings.MAX_JOINED_CHARS);
            if (javaText == null) {
                throw new TextReadings.TooLongToReadAsText();
            }
            return regex.find(javaText);
        }
        if (value.isValueNode() && regex.find(value.asText())) {
            return true;
        }
        for (String text : TextReadings.of(value)) {
            if (regex.find(text)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyLooseSame(JsonNode list, JsonNode value) {
        for (int i = 0, n = list.size(); i < n; i++) {
            if (TextReadings.looseEquals(value, list.get(i), ValueTest::same)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #contains}, where a number or boolean is read as its texts and a list also as its joined text. */
    private static boolean containsAsText(JsonNode value, JsonNode operand) {
        if (value.isArray()) {
            // The joined text first: a list too long to join denies at once, before any element is read as text.
            if (operand.isTextual() && TextReadings.containsText(value, operand.textValue())) {
                return true;
            }
            for (int i = 0, n = value.size(); i < n; i++) {
                if (TextReadings.looseEquals(value.get(i), operand, ValueTest::same)) {
                    return true;
                }
            }
            return false;
        }
        if ((value.isNumber() || value.isBoolean()) && operand.isTextual()) {
            return TextReadings.containsText(value, operand.textValue());
        }
        return contains(value, operand);
    }

    /**
     * The same test on a text value (most claims are strings), without wrapping it in a JSON node: gives
     * exactly what {@code test(TextNode.valueOf(text))} gives. Null means absent.
     */
    public boolean testText(String rawText) {
        String text = normalization.apply(rawText);
        boolean present = text != null;
        return switch (operator) {
            case "exists" -> present == operand.booleanValue();
            case "eq" -> present && operand.isTextual() && operand.textValue().equals(text);
            case "ne" -> !present || !(operand.isTextual() && operand.textValue().equals(text));
            case "in" -> present && anyText(operand, text);
            case "not_in" -> !present || !anyText(operand, text);
            case "matches" -> present && regex.find(text);
            case "contains" -> present && operand.isValueNode() && text.contains(operand.asText());
            case "gt", "gte", "lt", "lte" -> present && unordered("a string");
            default -> throw new IllegalStateException(operator);
        };
    }

    private static boolean anyText(JsonNode list, String text) {
        for (int i = 0, n = list.size(); i < n; i++) {
            JsonNode candidate = list.get(i);
            if (candidate.isTextual() && candidate.textValue().equals(text)) {
                return true;
            }
        }
        return false;
    }

    /** "eq 5", "matches '^rm'", for explain output. */
    public String describe() {
        return operator + " " + operand + normalization;
    }

    /**
     * The value an ordering compares: a number. Anything else (a string holding digits included) cannot be
     * ordered against the rule's number, and the condition fails: the rule then denies, whatever its action
     * (fail closed), rather than being skipped, which would let "5000" past {@code gt: 1000}.
     */
    private static JsonNode number(JsonNode value) {
        if (!value.isNumber()) {
            unordered(value.isTextual() ? "a string" : value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        return value;
    }

    private static boolean unordered(String what) {
        throw new IllegalArgumentException("cannot order " + what + " against a number");
    }

    /**
     * Equality by value, inside lists and mappings too: {@code [1.0, 2]} is the list {@code [1, 2]} to every reader
     * (Jackson's own equality tells an integer node from a floating one, which would let the first past a deny on
     * the second).
     */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return compareNumbers(a, b) == 0;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0, n = a.size(); i < n; i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (java.util.Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode other = b.get(field.getKey());
                if (other == null || !same(field.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Largest magnitude a long can have and still convert to double exactly. */
    private static final long MAX_EXACT_DOUBLE_LONG = 1L << 53;

    /**
     * Compares two numbers by value. Longs compare as longs and doubles as doubles (no allocation, the common
     * case); only big integers, big decimals and longs beyond 2^53 mixed with doubles go through BigDecimal.
     */
    static int compareNumbers(JsonNode a, JsonNode b) {
        if (a.isIntegralNumber() && b.isIntegralNumber() && a.canConvertToLong() && b.canConvertToLong()) {
            return Long.compare(a.longValue(), b.longValue());
        }
        if (exactAsDouble(a) && exactAsDouble(b)) {
            double x = a.doubleValue();
            double y = b.doubleValue();
            return x < y ? -1 : x > y ? 1 : 0;
        }
        return a.decimalValue().compareTo(b.decimalValue());
    }

    private static boolean exactAsDouble(JsonNode n) {
        if (n.isDouble() || n.isFloat()) {
            return true;
        }
        return (n.isInt() || n.isLong() || n.isShort()) && Math.abs(n.longValue()) <= MAX_EXACT_DOUBLE_LONG;
    }

    private static boolean anySame(JsonNode list, JsonNode value) {
        for (int i = 0, n = list.size(); i < n; i++) {
            if (same(value, list.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(JsonNode value, JsonNode operand) {
        if (value.isTextual()) {
            return operand.isValueNode() && value.textValue().contains(operand.asText());
        }
        if (value.isArray()) {
            return anySame(value, operand);
        }
        return false;
    }

    /** Converts a claim value (string, list, number, boolean, map) to JSON for comparison. */
    public static JsonNode toJson(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        if (value instanceof String s) {
            return f.textNode(s);
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof Integer || value instanceof Long) {
            return f.numberNode(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            return f.numberNode(new java.math.BigDecimal(n.toString()));
        }
        if (value instanceof List<?> list) {
            var array = f.arrayNode();
            new ArrayList<>(list).forEach(v -> array.add(toJson(v)));
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            var object = f.objectNode();
            map.forEach((k, v) -> object.set(String.valueOf(k), toJson(v)));
            return object;
        }
        return f.textNode(String.valueOf(value));
    }
}
