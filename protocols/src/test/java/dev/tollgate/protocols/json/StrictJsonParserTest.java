package dev.tollgate.protocols.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StrictJsonParserTest {

    private static final int DEPTH = 5;
    private final StrictJsonParser parser = new StrictJsonParser(DEPTH);

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("duplicate key at top level", utf8("{\"a\":1,\"a\":2}"), JsonRejection.Reason.DUPLICATE_KEY),
                Arguments.of("duplicate key nested in an object", utf8("{\"p\":{\"name\":\"x\",\"name\":\"y\"}}"), JsonRejection.Reason.DUPLICATE_KEY),
                Arguments.of("duplicate key inside an array element", utf8("[{\"k\":1},{\"k\":1,\"k\":2}]"), JsonRejection.Reason.DUPLICATE_KEY),
                Arguments.of("duplicate key with different value types", utf8("{\"a\":{},\"a\":[]}"), JsonRejection.Reason.DUPLICATE_KEY),
                Arguments.of("duplicate key spelled with an escape", utf8("{\"a\":1,\"\\u0061\":2}"), JsonRejection.Reason.DUPLICATE_KEY),
                Arguments.of("arrays one level past the limit", utf8("[".repeat(DEPTH + 1) + "]".repeat(DEPTH + 1)), JsonRejection.Reason.TOO_DEEP),
                Arguments.of("objects one level past the limit", utf8(nestedObjects(DEPTH + 1)), JsonRejection.Reason.TOO_DEEP),
                Arguments.of("mixed nesting past the limit", utf8("{\"a\":[{\"b\":[{\"c\":[1]}]}]}"), JsonRejection.Reason.TOO_DEEP),
                Arguments.of("overlong 2-byte encoding of '/' (C0 AF)", bytes(0x22, 0xC0, 0xAF, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("overlong 2-byte lead C1", bytes(0x22, 0xC1, 0xBF, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("overlong 3-byte encoding (E0 80 AF)", bytes(0x22, 0xE0, 0x80, 0xAF, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("overlong 4-byte encoding (F0 80 80 AF)", bytes(0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("lone high surrogate (CESU, ED A0 80)", bytes(0x22, 0xED, 0xA0, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("lone low surrogate (ED B0 80)", bytes(0x22, 0xED, 0xB0, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("surrogate pair encoded as two 3-byte sequences", bytes(0x22, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("truncated sequence at the end", bytes(0x22, 0x61, 0xE2, 0x82), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("truncated sequence before ASCII", bytes(0x22, 0xE2, 0x82, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("bad continuation byte", bytes(0x22, 0xE2, 0x28, 0xA1, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("stray continuation byte", bytes(0x22, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("lead byte F5 (beyond Unicode)", bytes(0x22, 0xF5, 0x80, 0x80, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("code point above U+10FFFF (F4 90 80 80)", bytes(0x22, 0xF4, 0x90, 0x80, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("byte FF", bytes(0x22, 0xFF, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("UTF-16BE body (Jackson would guess the encoding)", "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE), JsonRejection.Reason.MALFORMED),
                Arguments.of("UTF-16LE body", "{\"a\":1}".getBytes(StandardCharsets.UTF_16LE), JsonRejection.Reason.MALFORMED),
                Arguments.of("UTF-32BE body", "[1]".getBytes(Charset.forName("UTF-32BE")), JsonRejection.Reason.MALFORMED),
                Arguments.of("UTF-8 byte order mark", bytes(0xEF, 0xBB, 0xBF, '{', '}'), JsonRejection.Reason.MALFORMED),
                Arguments.of("number longer than Jackson's limit is not a depth problem", utf8("[" + "1".repeat(1001) + "]"), JsonRejection.Reason.MALFORMED),
                Arguments.of("key longer than Jackson's limit is not a depth problem", utf8("{\"" + "k".repeat(60_000) + "\":1}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("two documents", utf8("{} {}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("two scalars", utf8("1 2"), JsonRejection.Reason.MALFORMED),
                Arguments.of("trailing garbage", utf8("{}x"), JsonRejection.Reason.MALFORMED),
                Arguments.of("trailing NUL", utf8("{}\u0000"), JsonRejection.Reason.MALFORMED),
                Arguments.of("unterminated object", utf8("{\"a\":1"), JsonRejection.Reason.MALFORMED),
                Arguments.of("trailing comma", utf8("{\"a\":1,}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("single quotes", utf8("{'a':1}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("unquoted key", utf8("{a:1}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("comments", utf8("{/* x */}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("NaN", utf8("{\"a\":NaN}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("number too large for a double (read as infinity)", utf8("{\"a\":1e400}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("number too small for a double (read as zero)", utf8("{\"a\":1e-400}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("a huge exponent", utf8("{\"a\":-1e-999999999}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("an exponent beyond an int", utf8("{\"a\":1e99999999999}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("zero with an exponent beyond an int", utf8("{\"a\":0e99999999999}"), JsonRejection.Reason.MALFORMED),
                // 0 to every reader, but a zero of scale 1.5 billion as a decimal: its plain digits would take gigabytes.
                Arguments.of("zero with an exponent in the billions", utf8("{\"a\":0e-1500000000}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("zero with an exponent past the limit", utf8("{\"a\":0.0e-1000}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("a negative exponent at an int's edge", utf8("{\"a\":0.1e-2147483647}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("negative number too large for a double", utf8("[-1.5E+309]"), JsonRejection.Reason.MALFORMED),
                Arguments.of("float with 400 integer digits and no exponent", utf8("[" + "9".repeat(400) + ".0]"), JsonRejection.Reason.MALFORMED),
                Arguments.of("leading zero", utf8("[01]"), JsonRejection.Reason.MALFORMED),
                Arguments.of("raw tab inside a string", utf8("[\"a\tb\"]"), JsonRejection.Reason.MALFORMED),
                Arguments.of("escaped lone high surrogate in a value", utf8("[\"x\\ud800\"]"), JsonRejection.Reason.LONE_SURROGATE),
                Arguments.of("escaped lone low surrogate in a value", utf8("[\"\\uDC00x\"]"), JsonRejection.Reason.LONE_SURROGATE),
                Arguments.of("escaped lone surrogate in a key", utf8("{\"\\ud83d\":1}"), JsonRejection.Reason.LONE_SURROGATE),
                Arguments.of("surrogates in the wrong order", utf8("[\"\\ude00\\ud83d\"]"), JsonRejection.Reason.LONE_SURROGATE),
                Arguments.of("high surrogate followed by a non-surrogate escape", utf8("[\"\\ud83d\\u0041\"]"), JsonRejection.Reason.LONE_SURROGATE),
                Arguments.of("lone surrogate deep in an array of objects", utf8("[{\"a\":[1,{\"b\":\"ok\"}]},{\"c\":[\"\\udbff\"]}]"), JsonRejection.Reason.LONE_SURROGATE),
                Arguments.of("empty body", new byte[0], JsonRejection.Reason.EMPTY),
                Arguments.of("only whitespace", utf8(" \r\n\t "), JsonRejection.Reason.EMPTY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithTheReason(String name, byte[] input, JsonRejection.Reason reason) {
        assertThatThrownBy(() -> parser.parse(input))
                .isInstanceOfSatisfying(JsonRejection.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("nesting exactly at the limit (arrays)", utf8("[".repeat(DEPTH) + "]".repeat(DEPTH))),
                Arguments.of("nesting exactly at the limit (objects)", utf8(nestedObjects(DEPTH))),
                Arguments.of("same key in sibling objects", utf8("{\"a\":{\"k\":1},\"b\":{\"k\":2}}")),
                Arguments.of("zero with an exponent at the limit", utf8("[0e-1000, -0.0e999]")),
                Arguments.of("same key in different array elements", utf8("[{\"k\":1},{\"k\":2}]")),
                Arguments.of("multi-byte UTF-8 up to 4 bytes", utf8("{\"t\":\"héllo ✓ 😀\"}")),
                Arguments.of("escaped surrogate pair", utf8("[\"\\ud83d\\ude00\"]")),
                Arguments.of("an escaped backslash before ud800 is text, not a surrogate", utf8("[\"\\\\ud800\"]")),
                Arguments.of("escaped surrogate pair in a key", utf8("{\"\\uD83D\\uDE00\":1}")),
                Arguments.of("largest code point U+10FFFF", bytes('[', '"', 0xF4, 0x8F, 0xBF, 0xBF, '"', ']')),
                Arguments.of("noncharacter U+FFFF is still valid UTF-8", bytes('[', '"', 0xEF, 0xBF, 0xBF, '"', ']')),
                Arguments.of("surrounding whitespace", utf8(" \r\n {} \n\t")),
                Arguments.of("a scalar document", utf8("\"just a string\"")),
                Arguments.of("a number at the length limit", utf8("[" + "1".repeat(1000) + "]")),
                Arguments.of("the largest double", utf8("[1.7976931348623157e308]")),
                Arguments.of("the smallest double", utf8("[4.9e-324]")),
                Arguments.of("zero written small", utf8("[0.0e-400]")),
                Arguments.of("an integer beyond a double's range is read exactly", utf8("[" + "9".repeat(400) + "]")),
                Arguments.of("e followed by digits inside a string is text", utf8("{\"hash\":\"e3b0c442\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void accepts(String name, byte[] input) throws Exception {
        assertThat(parser.parse(input)).isNotNull();
    }

    @Test
    void fractionsAndExponentsAreReadExactlyAndKeptAsWritten() throws Exception {
        // A double would hold 18014398509481984 and 10000.0: a BigDecimal field upstream reads what was written.
        JsonNode read = parser.parse(utf8("[18014398509481985.0,10000.0000000000001,1.0,2.50]"));

        assertThat(read.get(0).decimalValue()).isEqualByComparingTo("18014398509481985");
        assertThat(read.get(1).decimalValue()).isEqualByComparingTo("10000.0000000000001");
        assertThat(read.toString()).isEqualTo("[18014398509481985.0,10000.0000000000001,1.0,2.50]");
    }

    @Test
    void aFloatWhoseDecimalHasNoFractionDigitsIsWrittenBackAsAFloat() throws Exception {
        // 4.00e2 is the BigDecimal 400 (scale 0): written back plainly it would be the integer token 400 (fuzzer finding).
        JsonNode read = parser.parse(utf8("{\"a\":4.00e2,\"b\":4e2,\"c\":400}"));

        assertThat(read.toString()).isEqualTo("{\"a\":400.0,\"b\":4E+2,\"c\":400}");
        assertThat(parser.parse(utf8(read.toString()))).isEqualTo(read);
    }

    @Test
    void defaultLimitAcceptsDepth64AndRejects65() throws Exception {
        StrictJsonParser defaults = new StrictJsonParser();
        int limit = StrictJsonParser.DEFAULT_MAX_NESTING_DEPTH;

        assertThat(limit).isEqualTo(64);
        assertThat(defaults.parse(utf8("[".repeat(limit) + "]".repeat(limit)))).isNotNull();
        assertThatThrownBy(() -> defaults.parse(utf8("[".repeat(limit + 1) + "]".repeat(limit + 1))))
                .isInstanceOfSatisfying(JsonRejection.class, e -> {
                    assertThat(e.reason()).isEqualTo(JsonRejection.Reason.TOO_DEEP);
                    assertThat(e.getMessage()).contains("64");
                });
    }

    @Test
    void deepNestingFarPastTheLimitIsRejectedWithoutStackOverflow() {
        int depth = 100_000;
        assertThatThrownBy(() -> parser.parse(utf8("[".repeat(depth) + "]".repeat(depth))))
                .isInstanceOfSatisfying(JsonRejection.class, e -> assertThat(e.reason()).isEqualTo(JsonRejection.Reason.TOO_DEEP));
    }

    @Test
    void limitBelowOneIsAConfigurationError() {
        assertThatThrownBy(() -> new StrictJsonParser(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void duplicateKeyMessageNamesTheKey() {
        assertThatThrownBy(() -> parser.parse(utf8("{\"p\":{\"tool\":1,\"tool\":2}}"))).hasMessage("duplicate object key 'tool'");
    }

    @Test
    void invalidUtf8MessageGivesTheByteOffsetWithinTheSlice() {
        byte[] framed = bytes('x', 'x', '[', '"', 'a', 0xC0, 0xAF, '"', ']');
        assertThatThrownBy(() -> parser.parse(framed, 2, framed.length - 2)).hasMessage("invalid UTF-8 sequence at byte 3");
    }

    @Test
    void invalidUtf8FarIntoALargeBodyIsFound() {
        byte[] body = utf8("[\"" + "é".repeat(50_000) + "\"]");
        body[body.length - 3] = (byte) 0xC3; // the last char's continuation byte becomes a second lead byte
        assertThatThrownBy(() -> parser.parse(body))
                .isInstanceOfSatisfying(JsonRejection.class, e -> assertThat(e.reason()).isEqualTo(JsonRejection.Reason.INVALID_UTF8));
    }

    @Test
    void trailingContentMessageGivesTheOffset() {
        assertThatThrownBy(() -> parser.parse(utf8("{} {}"))).hasMessage("unexpected content after the JSON document at offset 3");
    }

    @Test
    void errorMessagesDoNotEchoHugeInput() {
        String hugeKey = "k".repeat(10_000);
        assertThatThrownBy(() -> parser.parse(utf8("{\"" + hugeKey + "\":1,\"" + hugeKey + "\":2}")))
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
        assertThatThrownBy(() -> parser.parse(utf8("[" + "t".repeat(10_000) + "]")))
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }

    @Test
    void parsesAnOffsetSlice() throws Exception {
        byte[] framed = utf8("xx{\"a\":1}yy");
        assertThat(parser.parse(framed, 2, 7).get("a").asInt()).isEqualTo(1);
    }

    @Test
    void sharedInstanceIsSafeAcrossThreads() throws Exception {
        StrictJsonParser shared = new StrictJsonParser();
        Thread[] threads = new Thread[8];
        boolean[] ok = new boolean[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int index = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 2_000; i++) {
                        if (shared.parse(utf8("{\"n\":" + i + ",\"t\":" + index + "}")).get("n").asInt() != i) {
                            return;
                        }
                    }
                    ok[index] = true;
                } catch (JsonRejection e) {
                    ok[index] = false;
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(ok).containsOnly(true);
    }

    @Test
    void rejectionCodesAreStable() {
        assertThat(JsonRejection.Reason.DUPLICATE_KEY.code()).isEqualTo("duplicate_key");
        assertThat(JsonRejection.Reason.TOO_DEEP.code()).isEqualTo("nesting_too_deep");
        assertThat(JsonRejection.Reason.INVALID_UTF8.code()).isEqualTo("invalid_utf8");
        assertThat(JsonRejection.Reason.MALFORMED.code()).isEqualTo("invalid_json");
        assertThat(JsonRejection.Reason.EMPTY.code()).isEqualTo("empty_body");
    }

    private static String nestedObjects(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
