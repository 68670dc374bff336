package dev.tollgate.protocols.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SseEncoderTest {

    /** Fixed seed: the generated table is the same on every run, so a failure reproduces. */
    private static final long SEED = 20251125L;
    private static final int GENERATED_EVENTS = 400;
    private static final String[] TRICKY_VALUES = {"", " ", "  lead", "trail ", "a:b", ": colon first", "data: x", "id", "\t", "héllo", "✓", "😀",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", "\uFEFFbom", "x".repeat(300)};

    static Stream<Arguments> exactBytes() {
        return Stream.of(
                Arguments.of("MCP priming event", new SseEvent("p1", null, "", null, List.of()), "id: p1\ndata: \n\n"),
                Arguments.of("field order: comments, event, id, retry, data",
                        new SseEvent("7", "message", "x", 1000L, List.of("c")), ": c\nevent: message\nid: 7\nretry: 1000\ndata: x\n\n"),
                Arguments.of("one data line per line of data", SseEvent.data("a\nb\r\nc\rd"), "data: a\ndata: b\ndata: c\ndata: d\n\n"),
                Arguments.of("trailing newline in data is an empty last line", SseEvent.data("a\n"), "data: a\ndata: \n\n"),
                Arguments.of("comment with a line break becomes two comments", new SseEvent(null, null, null, null, List.of("a\nb")), ": a\n: b\n\n"),
                Arguments.of("line break in id is cut off, not injected", new SseEvent("1\ndata: evil", null, "ok", null, List.of()), "id: 1\ndata: ok\n\n"),
                Arguments.of("empty event is a bare blank line", new SseEvent(null, null, null, null, List.of()), "\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactBytes")
    void writesTheExpectedBytes(String name, SseEvent event, String expected) {
        assertThat(new String(SseEncoder.encode(event), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    static Stream<SseEvent> handPicked() {
        return Stream.of(
                SseEvent.data("plain"),
                new SseEvent("id-1", "message", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", null, List.of()),
                new SseEvent("prime", null, "", null, List.of()),
                new SseEvent(null, null, "multi\nline\ndata", 1500L, List.of()),
                new SseEvent("only-id", null, null, null, List.of()),
                new SseEvent("", null, null, null, List.of()),
                new SseEvent(null, null, null, 0L, List.of()),
                new SseEvent(null, null, null, null, List.of("comment one", "comment two")),
                new SseEvent(null, null, null, null, List.of("")),
                new SseEvent("9", "endpoint", "/message?sessionId=1", 10L, List.of("hi")),
                SseEvent.data("trailing newline\n"),
                SseEvent.data("\n\n"),
                SseEvent.data(" leading space"),
                new SseEvent(" spaced id", " spaced event", "x", null, List.of(" spaced comment")),
                SseEvent.data("unicode ✓ 😀"));
    }

    @ParameterizedTest
    @MethodSource("handPicked")
    void encodeThenDecodeIsIdentity(SseEvent event) throws Exception {
        assertThat(new SseDecoder().feed(SseEncoder.encode(event))).containsExactly(event);
    }

    @Test
    void generatedEventsRoundTripWhereverTheBytesAreSplit() throws Exception {
        for (SseEvent event : generated()) {
            byte[] bytes = SseEncoder.encode(event);
            for (int split = 0; split <= bytes.length; split++) {
                SseDecoder decoder = new SseDecoder();
                List<SseEvent> decoded = new ArrayList<>(decoder.feed(bytes, 0, split));
                decoded.addAll(decoder.feed(bytes, split, bytes.length - split));
                assertThat(decoded).as("%s split at %d", event, split).containsExactly(event);
                assertThat(decoder.hasPartialEvent()).isFalse();
            }
        }
    }

    @Test
    void encodedStreamDecodesInOrderUnderAnyChunkSize() throws Exception {
        List<SseEvent> events = new ArrayList<>(handPicked().toList());
        events.addAll(generated());
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        events.forEach(e -> stream.writeBytes(SseEncoder.encode(e)));
        byte[] bytes = stream.toByteArray();
        for (int chunk : IntStream.rangeClosed(1, 23).toArray()) {
            SseDecoder decoder = new SseDecoder();
            List<SseEvent> decoded = new ArrayList<>();
            for (int i = 0; i < bytes.length; i += chunk) {
                decoded.addAll(decoder.feed(bytes, i, Math.min(chunk, bytes.length - i)));
            }
            assertThat(decoded).as("chunk size %d", chunk).isEqualTo(events);
        }
    }

    @Test
    void decodeThenEncodeReproducesCanonicalWireBytes() throws Exception {
        String canonical = ": keep-alive\n\nid: 1\ndata: \n\nevent: message\nid: 2\ndata: {\"a\":1}\n\nretry: 5000\n\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SseEvent e : new SseDecoder().feed(canonical.getBytes(StandardCharsets.UTF_8))) {
            out.writeBytes(SseEncoder.encode(e));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(canonical);
    }

    @Test
    void negativeRetryCannotBeBuilt() {
        assertThatThrownBy(() -> new SseEvent(null, null, null, -1L, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    /** Random events built only from values the decoder can produce: no line breaks in id/event/comments, no NUL id. */
    private static List<SseEvent> generated() {
        Random random = new Random(SEED);
        List<SseEvent> events = new ArrayList<>(GENERATED_EVENTS);
        while (events.size() < GENERATED_EVENTS) {
            String id = random.nextInt(3) == 0 ? null : value(random);
            String event = random.nextInt(3) == 0 ? null : value(random);
            String data = random.nextInt(4) == 0 ? null : multiLine(random);
            Long retry = random.nextInt(4) == 0 ? (long) random.nextInt(100_000) : null;
            List<String> comments = new ArrayList<>();
            for (int c = random.nextInt(3); c > 0; c--) {
                comments.add(value(random));
            }
            SseEvent candidate = new SseEvent(id, event, data, retry, comments);
            if (!candidate.isEmpty()) {
                events.add(candidate);
            }
        }
        return events;
    }

    private static String value(Random random) {
        return TRICKY_VALUES[random.nextInt(TRICKY_VALUES.length)];
    }

    private static String multiLine(Random random) {
        StringBuilder sb = new StringBuilder(value(random));
        for (int lines = random.nextInt(4); lines > 0; lines--) {
            sb.append('\n').append(value(random));
        }
        return sb.toString();
    }
}
