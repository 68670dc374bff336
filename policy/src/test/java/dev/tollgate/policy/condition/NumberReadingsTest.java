package dev.tollgate.policy.condition;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class NumberReadingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void integersUpToTwoToThe53AndEveryFloatReadAlike() throws Exception {
        for (String alike : new String[] {"0", "-1", "9007199254740992", "-9007199254740992", "18014398509481984",
                "9223372036854775807.5", "1e300", "0.1", "\"9007199254740993\"", "true", "null", "{\"a\":[1,2.5]}"}) {
            assertThat(NumberReadings.readAlike(json(alike))).as(alike).isTrue();
            assertThat(NumberReadings.asDoubles(json(alike))).as(alike).isEqualTo(json(alike));
        }
    }

    @Test
    void integersADoubleCannotHoldReadAsTheirNeighbour() throws Exception {
        assertThat(NumberReadings.readAlike(json("9007199254740993"))).isFalse();
        assertThat(NumberReadings.asDoubles(json("9007199254740993"))).isEqualTo(json("9007199254740992"));
        assertThat(NumberReadings.asDoubles(json("-9007199254740995"))).isEqualTo(json("-9007199254740996"));
        // Long.MAX_VALUE is 2^63 to a double: beyond a long, so a big integer.
        assertThat(NumberReadings.asDoubles(json("9223372036854775807")).bigIntegerValue())
                .isEqualTo(java.math.BigInteger.ONE.shiftLeft(63));
        assertThat(NumberReadings.asDoubles(json("123456789012345678901234567890")).bigIntegerValue().toString())
                .isEqualTo("123456789012345677877719597056");
    }

    @Test
    void exactDecimalsReadAsTheirDoubleAndIntegralOnesAsAnInteger() throws Exception {
        ObjectMapper exact = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

        assertThat(NumberReadings.readAlike(exact.readTree("2.5"))).as("a double exactly, written alike").isTrue();
        // 0.1 is the decimal its double stands for (the shortest text reading back as it): alike, as the policy
        // compares a double by that decimal anyway; so is a 17-digit one that is a double's shortest text.
        assertThat(NumberReadings.readAlike(exact.readTree("0.1"))).isTrue();
        assertThat(NumberReadings.readAlike(exact.readTree("[0.1,2.5,-3.75e-5,1.7976931348623157e308]"))).isTrue();
        assertThat(NumberReadings.readAlike(exact.readTree("0.30000000000000004"))).isTrue();
        assertThat(NumberReadings.readAlike(exact.readTree("0.30000000000000001"))).as("a double reads it as 0.3").isFalse();
        assertThat(NumberReadings.readAlike(exact.readTree("0.10"))).as("JavaScript's text of it is 0.1").isFalse();
        // Java 17 prints the double 2e23 as 1.9999999999999998E23: compared the slow way, not taken as alike.
        assertThat(NumberReadings.readAlike(exact.readTree("2e23"))).isFalse();
        assertThat(NumberReadings.readAlike(exact.readTree("123.25e-3"))).isTrue();
        assertThat(NumberReadings.asDoubles(exact.readTree("0.30000000000000001")).isDouble()).isTrue();
        assertThat(NumberReadings.asDoubles(exact.readTree("1234.0")).toString()).isEqualTo("1234");
        assertThat(NumberReadings.asDoubles(exact.readTree("-0.0")).toString()).isEqualTo("0");
        assertThat(NumberReadings.asDoubles(exact.readTree("1E+3")).toString()).isEqualTo("1000");
        assertThat(NumberReadings.asDoubles(exact.readTree("10000.0000000000001")).toString()).isEqualTo("10000");
    }

    @Test
    void anIntegerBeyondADoublesRangeIsInfinity() throws Exception {
        JsonNode huge = json("-1" + "0".repeat(400));

        assertThat(NumberReadings.readAlike(huge)).isFalse();
        assertThat(NumberReadings.asDoubles(huge).doubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void containersAreCopiedWithOnlyTheirNumbersChanged() throws Exception {
        JsonNode value = json("{\"ids\":[1,9007199254740993],\"name\":\"x\",\"nested\":{\"n\":18014398509481985}}");

        assertThat(NumberReadings.readAlike(value)).isFalse();
        assertThat(NumberReadings.asDoubles(value))
                .isEqualTo(json("{\"ids\":[1,9007199254740992],\"name\":\"x\",\"nested\":{\"n\":18014398509481984}}"));
        assertThat(value).as("the call's own value is untouched")
                .isEqualTo(json("{\"ids\":[1,9007199254740993],\"name\":\"x\",\"nested\":{\"n\":18014398509481985}}"));
        assertThat(NumberReadings.describe(json("9007199254740993"), json("9007199254740992")))
                .isEqualTo("9007199254740993 (9007199254740992 as a double)");
    }

    @Test
    void everySubtreeWithoutSuchAnIntegerIsTheSameInstance() throws Exception {
        // What keeps a condition's check constant-time: it compares its value in both readings by identity.
        JsonNode value = json("{\"a\":{\"big\":[1,2,3]},\"b\":[{\"n\":9007199254740993},{\"m\":1}],\"c\":\"x\"}");

        JsonNode read = NumberReadings.asDoubles(value);

        assertThat(read).isNotSameAs(value);
        assertThat(read.get("a")).isSameAs(value.get("a"));
        assertThat(read.get("c")).isSameAs(value.get("c"));
        assertThat(read.get("b")).isNotSameAs(value.get("b"));
        assertThat(read.get("b").get(0)).isNotSameAs(value.get("b").get(0));
        assertThat(read.get("b").get(1)).isSameAs(value.get("b").get(1));
        assertThat(read.fieldNames()).toIterable().containsExactly("a", "b", "c");
    }

    @Test
    void theIntegerReadingDropsEveryFractionTowardZeroReadsNumericStringsAndSharesWhatHasNeither() throws Exception {
        ObjectMapper exact = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        JsonNode value = exact.readTree("{\"to\":42.5,\"neg\":-2.5,\"tiny\":-0.25,\"whole\":7,\"same\":{\"n\":[1,2.0,\"x\"]},"
                + "\"s\":\" 43 \",\"e\":\"4.2e1\",\"word\":\"42abc\",\"big\":123456789012345678901234.5}");

        JsonNode read = NumberReadings.asIntegers(value);

        assertThat(read.get("to").longValue()).isEqualTo(42);
        assertThat(read.get("neg").longValue()).isEqualTo(-2);
        assertThat(read.get("tiny").longValue()).isZero();
        assertThat(read.get("s").longValue()).isEqualTo(43);
        assertThat(read.get("e").longValue()).isEqualTo(42);
        assertThat(read.get("big").bigIntegerValue()).isEqualTo(new java.math.BigInteger("123456789012345678901234"));
        assertThat(read.get("word")).as("not a number: the same instance").isSameAs(value.get("word"));
        assertThat(read.get("whole")).isSameAs(value.get("whole"));
        assertThat(read.get("same")).as("no fraction and no numeric string below it: the same instance").isSameAs(value.get("same"));
        JsonNode whole = exact.readTree("{\"a\":[1,2,3],\"b\":1.0e300,\"c\":\"text\"}");
        assertThat(NumberReadings.asIntegers(whole)).as("nothing to read otherwise: the very instance").isSameAs(whole);
    }

    @Test
    void numbersAreWrittenAsJavaScriptsStringWritesThem() {
        // Node 20: String(x) for each x.
        assertThat(JavaScriptText.of(42.0)).isEqualTo("42");
        assertThat(JavaScriptText.of(-0.0)).isEqualTo("0");
        assertThat(JavaScriptText.of(0.1)).isEqualTo("0.1");
        assertThat(JavaScriptText.of(-2.5)).isEqualTo("-2.5");
        assertThat(JavaScriptText.of(0.000001)).isEqualTo("0.000001");
        assertThat(JavaScriptText.of(1e-7)).isEqualTo("1e-7");
        assertThat(JavaScriptText.of(1.5e-7)).isEqualTo("1.5e-7");
        assertThat(JavaScriptText.of(123456789012345680000.0)).isEqualTo("123456789012345680000");
        assertThat(JavaScriptText.of(1e21)).isEqualTo("1e+21");
        assertThat(JavaScriptText.of(-1.5e300)).isEqualTo("-1.5e+300");
        assertThat(JavaScriptText.of(9007199254740993.0)).isEqualTo("9007199254740992");
        assertThat(JavaScriptText.of(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
    }

    @Test
    void aStringFieldKeepsEachWritingOfANumber() throws Exception {
        assertThat(TextReadings.of(json("42"))).containsExactly("42");
        assertThat(TextReadings.of(com.fasterxml.jackson.databind.node.DecimalNode.valueOf(new java.math.BigDecimal("42.0"))))
                .containsExactly("42.0", "42");
        assertThat(TextReadings.of(com.fasterxml.jackson.databind.node.DecimalNode.valueOf(new java.math.BigDecimal("1E+3"))))
                .containsExactly("1E+3", "1000", "1000.0");
        assertThat(TextReadings.of(com.fasterxml.jackson.databind.node.DecimalNode.valueOf(new java.math.BigDecimal("1E+7"))))
                .contains("1.0E7", "10000000.0", "10000000"); // Java's Double.toString, Python's str(), JavaScript's String()
        assertThat(TextReadings.of(json("true"))).containsExactly("true", "True");
        assertThat(TextReadings.of(json("\"42\""))).isEmpty();
        // Node 20: String([1, [2, 3], null, "x", true, {}, 42.0])
        assertThat(TextReadings.joined(json("[1,[2,3],null,\"x\",true,{},42.0]"), 100)).isEqualTo("1,2,3,,x,true,[object Object],42");
        assertThat(TextReadings.joined(json("[\"abcdef\"]"), 3)).as("past the limit").isNull();
    }

    @Test
    void theShortestDigitsAreWrittenWhereJava17WritesMore() {
        // Node 20 String(x) and Python 3 repr(x); Java 17's Double.toString writes 1.9530299760072794E18 and 1.9999999999999998E23.
        assertThat(JavaScriptText.of(1953029976007279401.0)).isEqualTo("1953029976007279400");
        assertThat(JavaScriptText.of(2e23)).isEqualTo("2e+23");
        assertThat(JavaScriptText.of(Double.MIN_VALUE)).isEqualTo("5e-324");
        assertThat(PythonValues.floatRepr(2e23)).isEqualTo("2e+23");
        assertThat(PythonValues.floatRepr(1e7)).isEqualTo("10000000.0");
    }
}
