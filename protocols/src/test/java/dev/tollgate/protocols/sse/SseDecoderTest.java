package dev.tollgate.protocols.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SseDecoderTest {

    static Stream<Arguments> framing() {
        return Stream.of(
                Arguments.of("one data line", "data: hello\n\n", List.of(ev(null, null, "hello", null))),
                Arguments.of("multi-line data joined with LF", "data: a\ndata: b\n\n", List.of(ev(null, null, "a\nb", null))),
                Arguments.of("event, id and retry", "event: message\nid: 42\nretry: 3000\ndata: x\n\n", List.of(ev("42", "message", "x", 3000L))),
                Arguments.of("CRLF line ends", "id: 1\r\ndata: x\r\n\r\n", List.of(ev("1", null, "x", null))),
                Arguments.of("CR line ends", "id: 1\rdata: x\r\r", List.of(ev("1", null, "x", null))),
                Arguments.of("MCP priming event: id and empty data", "id: abc\ndata: \n\n", List.of(ev("abc", null, "", null))),
                Arguments.of("id-only block is still visible", "id: 7\n\n", List.of(ev("7", null, null, null))),
                Arguments.of("retry-only block", "retry: 500\n\n", List.of(ev(null, null, null, 500L))),
                Arguments.of("only one leading space is removed", "data:  two spaces\n\n", List.of(ev(null, null, " two spaces", null))),
                Arguments.of("no space after the colon", "data:tight\n\n", List.of(ev(null, null, "tight", null))),
                Arguments.of("field without a colon is an empty value", "data\n\n", List.of(ev(null, null, "", null))),
                Arguments.of("colon inside the value is kept", "data: a:b:c\n\n", List.of(ev(null, null, "a:b:c", null))),
                Arguments.of("non-numeric retry is ignored", "retry: soon\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("id containing NUL is ignored", "id: a\u0000b\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("unknown field is ignored", "foo: bar\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("blank lines between events produce nothing", "\n\ndata: a\n\n\n\ndata: b\n\n",
                        List.of(ev(null, null, "a", null), ev(null, null, "b", null))),
                Arguments.of("leading BOM is skipped", "\uFEFFdata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("unterminated event is not emitted", "data: x\n", List.of()),
                Arguments.of("UTF-8 data", "data: héllo ✓\n\n", List.of(ev(null, null, "héllo ✓", null))),
                Arguments.of("4-byte UTF-8 split anywhere", "data: 😀😀\n\n", List.of(ev(null, null, "😀😀", null))),
                Arguments.of("mixed LF, CR and CRLF in one stream", "data: a\rdata: b\r\ndata: c\n\r\n", List.of(ev(null, null, "a\nb\nc", null))),
                Arguments.of("CR CR is two line ends, so an event ends", "data: a\r\rdata: b\r\r", List.of(ev(null, null, "a", null), ev(null, null, "b", null))),
                Arguments.of("LF CR is two line ends", "data: a\n\rdata: b\n\n", List.of(ev(null, null, "a", null), ev(null, null, "b", null))),
                Arguments.of("data: with no value is empty data", "data:\n\n", List.of(ev(null, null, "", null))),
                Arguments.of("two empty data lines are one newline", "data:\ndata:\n\n", List.of(ev(null, null, "\n", null))),
                Arguments.of("space-only value is empty after stripping", "data: \n\n", List.of(ev(null, null, "", null))),
                Arguments.of("tab after the colon is kept", "data:\tx\n\n", List.of(ev(null, null, "\tx", null))),
                Arguments.of("empty id is an id", "id:\ndata: x\n\n", List.of(ev("", null, "x", null))),
                Arguments.of("last id in a block wins", "id: 1\nid: 2\n\n", List.of(ev("2", null, null, null))),
                Arguments.of("last event in a block wins", "event: a\nevent: b\ndata: x\n\n", List.of(ev(null, "b", "x", null))),
                Arguments.of("event without data is visible", "event: ping\n\n", List.of(ev(null, "ping", null, null))),
                Arguments.of("retry zero", "retry: 0\n\n", List.of(ev(null, null, null, 0L))),
                Arguments.of("negative retry is ignored", "retry: -1\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("fractional retry is ignored", "retry: 1.5\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("non-ASCII digits in retry are ignored", "retry: \u0661\u0662\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("retry too long for a long is ignored", "retry: 9999999999999999999\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("empty retry is ignored", "retry:\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("block of only an ignored field produces nothing", "retry: soon\n\ndata: x\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("block of only a NUL id produces nothing", "id: \u0000\n\n", List.of()),
                Arguments.of("field names are case-sensitive", "Data: x\nDATA: y\n\n", List.of()),
                Arguments.of("comment-only block (keep-alive) is visible", ": keep-alive\n\n", List.of(comments("keep-alive"))),
                Arguments.of("comment without a space", ":ping\n\n", List.of(comments("ping"))),
                Arguments.of("comment keeps all but one leading space", ":  two\n\n", List.of(comments(" two"))),
                Arguments.of("empty comment", ":\n\n", List.of(comments(""))),
                Arguments.of("several comments in order", ": a\n: b\ndata: x\n\n", List.of(new SseEvent(null, null, "x", null, List.of("a", "b")))),
                Arguments.of("a BOM after the start is not skipped", "data: x\n\n\uFEFFdata: y\n\n", List.of(ev(null, null, "x", null))),
                Arguments.of("only one leading BOM is skipped", "\uFEFF\uFEFFdata: x\n\n", List.of()),
                Arguments.of("invalid UTF-8 becomes U+FFFD as in a browser", "data: a\u0000b\n\n", List.of(ev(null, null, "a\uFFFDb", null))),
                Arguments.of("legacy endpoint event", "event: endpoint\ndata: /message?sessionId=1\n\n", List.of(ev(null, "endpoint", "/message?sessionId=1", null))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framing")
    void decodesWholeInput(String name, String wire, List<SseEvent> expected) throws Exception {
        assertThat(new SseDecoder().feed(wire(wire))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}, split at every pair of points")
    @MethodSource("framing")
    void decodesTheSameWhateverTheChunking(String name, String wire, List<SseEvent> expected) throws Exception {
        byte[] bytes = wire(wire);
        for (int first = 0; first <= bytes.length; first++) {
            for (int second = first; second <= bytes.length; second++) {
                SseDecoder decoder = new SseDecoder();
                List<SseEvent> events = new ArrayList<>(decoder.feed(bytes, 0, first));
                events.addAll(decoder.feed(bytes, first, second - first));
                events.addAll(decoder.feed(bytes, second, bytes.length - second));
                assertThat(events).as("chunks [0,%d) [%d,%d) [%d,%d)", first, first, second, second, bytes.length).isEqualTo(expected);
            }
        }
    }

    /** The table is written as text; "\u0000" in a data row stands for a byte that is never valid UTF-8. */
    private static byte[] wire(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (text.startsWith("data: a\u0000b")) {
            bytes[text.indexOf('\u0000')] = (byte) 0xFF;
        }
        return bytes;
    }

    @Test
    void decodesOneByteAtATime() throws Exception {
        byte[] bytes = "id: 1\r\ndata: a\r\ndata: b\r\n\r\n: keep-alive\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> events = new ArrayList<>();
        for (byte b : bytes) {
            events.addAll(decoder.feed(new byte[]{b}));
        }
        assertThat(events).containsExactly(ev("1", null, "a\nb", null), new SseEvent(null, null, null, null, List.of("keep-alive")));
    }

    @Test
    void crAtTheEndOfAChunkAndLfAtTheStartOfTheNextAreOneLineEnd() throws Exception {
        SseDecoder decoder = new SseDecoder();
        assertThat(decoder.feed("data: a\r".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(decoder.feed("\ndata: b\r\n\r\n".getBytes(StandardCharsets.UTF_8))).containsExactly(ev(null, null, "a\nb", null));
    }

    @Test
    void commentsAreKeptForRelaying() throws Exception {
        assertThat(new SseDecoder().feed(": ping\ndata: x\n\n".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(new SseEvent(null, null, "x", null, List.of("ping")));
    }

    @Test
    void eventLargerThanTheLimitIsRefused() {
        SseDecoder decoder = new SseDecoder(16);
        assertThatThrownBy(() -> decoder.feed(("data: " + "x".repeat(32) + "\n\n").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(SseFramingException.class, e -> assertThat(e.reason()).isEqualTo("sse_event_too_large"));
    }

    @Test
    void eventOfExactlyTheLimitIsAcceptedAndOneByteMoreIsRefused() throws Exception {
        // The limit counts field bytes, not line terminators: "data: " + 10 x's is 16 bytes.
        assertThat(new SseDecoder(16).feed(("data: " + "x".repeat(10) + "\n\n").getBytes(StandardCharsets.UTF_8))).hasSize(1);
        assertThatThrownBy(() -> new SseDecoder(16).feed(("data: " + "x".repeat(11) + "\n\n").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SseFramingException.class);
    }

    @Test
    void limitAddsUpAllLinesOfOneEvent() throws Exception {
        SseDecoder decoder = new SseDecoder(16);
        assertThat(decoder.feed("data: 12345\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThatThrownBy(() -> decoder.feed("data: 12345\n".getBytes(StandardCharsets.UTF_8))).isInstanceOf(SseFramingException.class);
    }

    @Test
    void lineWithoutEndLargerThanTheLimitIsRefusedBeforeItEnds() throws Exception {
        SseDecoder decoder = new SseDecoder(1024);
        byte[] chunk = "x".repeat(512).getBytes(StandardCharsets.UTF_8);
        decoder.feed(chunk);
        decoder.feed(chunk);
        assertThatThrownBy(() -> decoder.feed(new byte[]{'x'})).isInstanceOf(SseFramingException.class);
    }

    @Test
    void defaultLimitIsOneMebibyte() throws Exception {
        assertThat(SseDecoder.DEFAULT_MAX_EVENT_BYTES).isEqualTo(1 << 20);
        String atLimit = "data: " + "x".repeat(SseDecoder.DEFAULT_MAX_EVENT_BYTES - 6);
        assertThat(new SseDecoder().feed((atLimit + "\n\n").getBytes(StandardCharsets.UTF_8))).hasSize(1);
        assertThatThrownBy(() -> new SseDecoder().feed((atLimit + "x\n\n").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SseFramingException.class);
    }

    @Test
    void lastEventIdIsStickyAcrossEventsLikeEventSource() throws Exception {
        SseDecoder decoder = new SseDecoder();
        decoder.feed("id: 5\ndata: a\n\ndata: b\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(decoder.lastEventId()).isEqualTo("5");
        decoder.feed("id: \u0000\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(decoder.lastEventId()).as("a NUL id leaves it unchanged").isEqualTo("5");
        decoder.feed("id:\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(decoder.lastEventId()).as("an empty id clears it").isEmpty();
    }

    @Test
    void resetStartsANewStream() throws Exception {
        SseDecoder decoder = new SseDecoder();
        decoder.feed("id: 1\ndata: half".getBytes(StandardCharsets.UTF_8));
        decoder.reset();
        assertThat(decoder.hasPartialEvent()).isFalse();
        assertThat(decoder.lastEventId()).isNull();
        assertThat(decoder.feed("\uFEFFdata: fresh\n\n".getBytes(StandardCharsets.UTF_8))).containsExactly(ev(null, null, "fresh", null));
    }

    @Test
    void partOfABomCountsAsAPartialEvent() throws Exception {
        SseDecoder decoder = new SseDecoder();
        decoder.feed(new byte[]{(byte) 0xEF});
        assertThat(decoder.hasPartialEvent()).isTrue();
    }

    @Test
    void limitBelowOneIsAConfigurationError() {
        assertThatThrownBy(() -> new SseDecoder(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limitCountsOneEventNotTheWholeStream() throws Exception {
        SseDecoder decoder = new SseDecoder(16);
        for (int i = 0; i < 100; i++) {
            assertThat(decoder.feed("data: 0123456789\n\n".getBytes(StandardCharsets.UTF_8))).hasSize(1);
        }
    }

    @Test
    void partialEventIsReported() throws Exception {
        SseDecoder decoder = new SseDecoder();
        decoder.feed("data: x\n".getBytes(StandardCharsets.UTF_8));
        assertThat(decoder.hasPartialEvent()).isTrue();
        decoder.feed("\n".getBytes(StandardCharsets.UTF_8));
        assertThat(decoder.hasPartialEvent()).isFalse();
    }

    private static SseEvent comments(String... texts) {
        return new SseEvent(null, null, null, null, List.of(texts));
    }

    private static SseEvent ev(String id, String event, String data, Long retry) {
        return new SseEvent(id, event, data, retry, List.of());
    }
}
