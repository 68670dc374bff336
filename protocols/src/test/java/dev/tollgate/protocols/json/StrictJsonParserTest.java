package dev.tollgate.protocols.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
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
                Arguments.of("nesting one level past the limit", utf8("[".repeat(DEPTH + 1) + "]".repeat(DEPTH + 1)), JsonRejection.Reason.TOO_DEEP),
                Arguments.of("mixed nesting past the limit", utf8("{\"a\":[{\"b\":[{\"c\":[1]}]}]}"), JsonRejection.Reason.TOO_DEEP),
                Arguments.of("overlong encoding of '/'", bytes(0x22, 0xC0, 0xAF, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("lone surrogate (CESU)", bytes(0x22, 0xED, 0xA0, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("truncated sequence at the end", bytes(0x22, 0x61, 0xE2, 0x82), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("bad continuation byte", bytes(0x22, 0xE2, 0x28, 0xA1, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("byte above F4", bytes(0x22, 0xF5, 0x80, 0x80, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("stray continuation byte", bytes(0x22, 0x80, 0x22), JsonRejection.Reason.INVALID_UTF8),
                Arguments.of("two documents", utf8("{} {}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("trailing garbage", utf8("{}x"), JsonRejection.Reason.MALFORMED),
                Arguments.of("unterminated object", utf8("{\"a\":1"), JsonRejection.Reason.MALFORMED),
                Arguments.of("single quotes", utf8("{'a':1}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("comments", utf8("{/* x */}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("NaN", utf8("{\"a\":NaN}"), JsonRejection.Reason.MALFORMED),
                Arguments.of("empty body", new byte[0], JsonRejection.Reason.EMPTY),
                Arguments.of("only whitespace", utf8(" \r\n\t "), JsonRejection.Reason.EMPTY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejects(String name, byte[] input, JsonRejection.Reason reason) {
        assertThatThrownBy(() -> parser.parse(input))
                .isInstanceOfSatisfying(JsonRejection.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void nestingExactlyAtTheLimitIsAccepted() throws Exception {
        assertThat(parser.parse(utf8("[".repeat(DEPTH) + "]".repeat(DEPTH))).isArray()).isTrue();
    }

    @Test
    void validMultiByteUtf8IsAccepted() throws Exception {
        assertThat(parser.parse(utf8("{\"t\":\"héllo ✓ 😀\"}")).get("t").asText()).isEqualTo("héllo ✓ 😀");
    }

    @Test
    void duplicateKeyMessageNamesTheKey() {
        assertThatThrownBy(() -> parser.parse(utf8("{\"tool\":1,\"tool\":2}"))).hasMessageContaining("'tool'");
    }

    @Test
    void errorMessagesDoNotEchoHugeInput() {
        String hugeKey = "k".repeat(10_000);
        assertThatThrownBy(() -> parser.parse(utf8("{\"" + hugeKey + "\":1,\"" + hugeKey + "\":2}")))
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }

    @Test
    void parsesAnOffsetSlice() throws Exception {
        byte[] framed = utf8("xx{\"a\":1}yy");
        assertThat(parser.parse(framed, 2, 7).get("a").asInt()).isEqualTo(1);
    }

    @Test
    void rejectionCodesAreStable() {
        assertThat(JsonRejection.Reason.DUPLICATE_KEY.code()).isEqualTo("duplicate_key");
        assertThat(JsonRejection.Reason.TOO_DEEP.code()).isEqualTo("nesting_too_deep");
        assertThat(JsonRejection.Reason.INVALID_UTF8.code()).isEqualTo("invalid_utf8");
        assertThat(JsonRejection.Reason.MALFORMED.code()).isEqualTo("invalid_json");
        assertThat(JsonRejection.Reason.EMPTY.code()).isEqualTo("empty_body");
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
