package dev.tollgate.protocols.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
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
                Arguments.of("UTF-8 data", "data: héllo ✓\n\n", List.of(ev(null, null, "héllo ✓", null))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framing")
    void decodesWholeInput(String name, String wire, List<SseEvent> expected) throws Exception {
        assertThat(new SseDecoder().feed(wire.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}, split at every byte")
    @MethodSource("framing")
    void decodesTheSameWhateverTheChunking(String name, String wire, List<SseEvent> expected) throws Exception {
        byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split < bytes.length; split++) {
            SseDecoder decoder = new SseDecoder();
            List<SseEvent> events = new ArrayList<>(decoder.feed(bytes, 0, split));
            events.addAll(decoder.feed(bytes, split, bytes.length - split));
            assertThat(events).as("split at %d", split).isEqualTo(expected);
        }
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

    static Stream<SseEvent> roundTrips() {
        return Stream.of(
                ev(null, null, "plain", null),
                ev("id-1", "message", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", null),
                ev("prime", null, "", null),
                ev(null, null, "multi\nline\ndata", 1500L),
                ev("only-id", null, null, null),
                new SseEvent(null, null, null, null, List.of("comment one", "comment two")),
                new SseEvent("9", "endpoint", "/message?sessionId=1", 10L, List.of("hi")),
                ev(null, null, "trailing newline\n", null),
                ev(null, null, "unicode ✓ 😀", null));
    }

    @ParameterizedTest
    @MethodSource("roundTrips")
    void encodeThenDecodeIsIdentity(SseEvent event) throws Exception {
        assertThat(new SseDecoder().feed(SseEncoder.encode(event))).containsExactly(event);
    }

    @Test
    void encodedStreamOfManyEventsDecodesInOrderUnderAnyChunking() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<SseEvent> events = roundTrips().toList();
        for (SseEvent e : events) {
            stream.writeBytes(SseEncoder.encode(e));
        }
        byte[] bytes = stream.toByteArray();
        for (int chunk = 1; chunk <= 17; chunk++) {
            SseDecoder decoder = new SseDecoder();
            List<SseEvent> decoded = new ArrayList<>();
            for (int i = 0; i < bytes.length; i += chunk) {
                decoded.addAll(decoder.feed(bytes, i, Math.min(chunk, bytes.length - i)));
            }
            assertThat(decoded).as("chunk size %d", chunk).isEqualTo(events);
        }
    }

    @Test
    void encoderCannotBeTrickedIntoInjectingFields() throws Exception {
        SseEvent hostile = new SseEvent("1\ndata: injected", "message\nid: 2", "ok", null, List.of());
        assertThat(new SseDecoder().feed(SseEncoder.encode(hostile))).containsExactly(ev("1", "message", "ok", null));
    }

    private static SseEvent ev(String id, String event, String data, Long retry) {
        return new SseEvent(id, event, data, retry, List.of());
    }
}
