package dev.tollgate.protocols.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A differential property of the SSE decoder: a stream cut into chunks anywhere (one byte at a time, or at
 * points drawn from the input) decodes to the same events, the same last event id and the same unfinished
 * state as the whole stream in one chunk; an over-large event is refused whatever the chunking (events
 * completed earlier in the same chunk are then lost, so the whole-stream events are a prefix of the chunked
 * ones). Every decoded event encodes back ({@link SseEncoder}) to bytes that decode to that event alone.
 * Seeds: {@code SseDecoderFuzzTestInputs/decodesTheSameWhateverTheChunking/}.
 */
class SseDecoderFuzzTest {

    /** Small enough that fuzzed streams reach it, so the limit's path is compared across chunkings too. */
    private static final int SMALL_LIMIT_BYTES = 96;

    @FuzzTest
    void decodesTheSameWhateverTheChunking(byte[] stream) throws SseFramingException {
        Outcome whole = decode(stream, SseDecoder.DEFAULT_MAX_EVENT_BYTES, List.of(stream.length));
        assertSame(whole, decode(stream, SseDecoder.DEFAULT_MAX_EVENT_BYTES, everyByte(stream.length)));
        assertSame(whole, decode(stream, SseDecoder.DEFAULT_MAX_EVENT_BYTES, randomCuts(stream)));
        for (SseEvent event : whole.events) {
            assertThat(new SseDecoder().feed(SseEncoder.encode(event))).as("encode then decode").containsExactly(event);
        }
        Outcome limited = decode(stream, SMALL_LIMIT_BYTES, List.of(stream.length));
        assertSame(limited, decode(stream, SMALL_LIMIT_BYTES, randomCuts(stream)));
    }

    private record Outcome(List<SseEvent> events, boolean refused, String lastEventId, boolean partial) {
    }

    private static Outcome decode(byte[] stream, int limit, List<Integer> cuts) {
        SseDecoder decoder = new SseDecoder(limit);
        List<SseEvent> events = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            try {
                events.addAll(decoder.feed(stream, from, cut - from));
            } catch (SseFramingException e) {
                assertThat(e.reason()).isEqualTo(SseFramingException.EVENT_TOO_LARGE);
                return new Outcome(events, true, null, false);
            }
            from = cut;
        }
        return new Outcome(events, false, decoder.lastEventId(), decoder.hasPartialEvent());
    }

    private static void assertSame(Outcome whole, Outcome chunked) {
        assertThat(chunked.refused).as("refused whatever the chunking").isEqualTo(whole.refused);
        if (whole.refused) {
            assertThat(chunked.events.subList(0, Math.min(whole.events.size(), chunked.events.size()))).isEqualTo(whole.events);
            assertThat(chunked.events.size()).isGreaterThanOrEqualTo(whole.events.size());
            return;
        }
        assertThat(chunked.events).isEqualTo(whole.events);
        assertThat(chunked.lastEventId).isEqualTo(whole.lastEventId);
        assertThat(chunked.partial).isEqualTo(whole.partial);
    }

    private static List<Integer> everyByte(int length) {
        List<Integer> cuts = new ArrayList<>(length);
        for (int i = 1; i <= length; i++) {
            cuts.add(i);
        }
        return cuts;
    }

    /** Cut points drawn from the input itself, so a finding reproduces from its file alone. */
    private static List<Integer> randomCuts(byte[] stream) {
        Random random = new Random(Arrays.hashCode(stream));
        List<Integer> cuts = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            at = Math.min(stream.length, at + 1 + random.nextInt(8));
            cuts.add(at);
        }
        if (cuts.isEmpty()) {
            cuts.add(0);
        }
        return cuts;
    }
}
