package dev.tollgate.protocols.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental decoder for the WHATWG EventSource wire format: feed chunks as they arrive, get the events
 * they complete. Lines end in LF, CR or CRLF (a CRLF split across chunks is one line end); one leading BOM
 * is skipped, even when split across chunks; {@code field:value} drops one space after the colon; a line
 * without a colon is a field with an empty value; comment lines start with ':'; {@code retry} counts only
 * when all ASCII digits (and small enough for a long); an {@code id} containing NUL is ignored; unknown
 * fields are ignored. Bytes are buffered per line and decoded as UTF-8 (invalid sequences become U+FFFD,
 * as in a browser) only once the line is complete, so multi-byte characters may be split across chunks.
 *
 * <p>Deliberate difference from a browser: an event is emitted for any blank-line-terminated block with at
 * least one field or comment, even without data. A browser drops such blocks silently, but a gateway
 * relaying a stream must see id-only "priming" events, retry-only hints and keep-alive comments to pass
 * them on. {@link SseEvent#id()} is the block's own {@code id} field; the sticky browser-style cursor is
 * {@link #lastEventId()}.
 *
 * <p>Not thread-safe: one decoder per stream. After an {@link SseFramingException} the stream cannot be
 * resynchronised; drop it (or {@link #reset()} for a new one).
 */
public final class SseDecoder {

    public static final int DEFAULT_MAX_EVENT_BYTES = 1 << 20;
    /** Longer digit strings could overflow a long; such a retry field is ignored like any non-number. */
    private static final int MAX_RETRY_DIGITS = 18;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int INITIAL_LINE_BYTES = 256;

    private final int maxEventBytes;
    private byte[] line = new byte[INITIAL_LINE_BYTES];
    private int lineLength;
    /** How many BOM bytes have been matched at the start of the stream; -1 once past the start. */
    private int bomMatched;
    /** The previous chunk ended in CR, so an LF starting this one completes that line end, not a new one. */
    private boolean lastWasCr;
    /** Bytes of the current event so far, line terminators excluded. */
    private int eventBytes;
    private String lastEventId;
    private final EventBuilder event = new EventBuilder();

    public SseDecoder(int maxEventBytes) {
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("maxEventBytes must be positive");
        }
        this.maxEventBytes = maxEventBytes;
    }

    public SseDecoder() {
        this(DEFAULT_MAX_EVENT_BYTES);
    }

    public List<SseEvent> feed(byte[] chunk) throws SseFramingException {
        return feed(chunk, 0, chunk.length);
    }

    /** @return the events this chunk completed, in stream order (empty, never null) */
    public List<SseEvent> feed(byte[] chunk, int offset, int length) throws SseFramingException {
        List<SseEvent> out = null;
        int i = offset;
        int end = offset + length;
        while (i < end && bomMatched >= 0) {
            if (!skipsBom(chunk[i])) {
                break;
            }
            i++;
        }
        if (lastWasCr && i < end) {
            lastWasCr = false;
            if (chunk[i] == '\n') {
                i++;
            }
        }
        while (i < end) {
            int lineEnd = indexOfLineEnd(chunk, i, end);
            append(chunk, i, (lineEnd < 0 ? end : lineEnd) - i);
            if (lineEnd < 0) {
                break;
            }
            SseEvent done = endOfLine();
            if (done != null) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(done);
            }
            i = lineEnd + 1;
            if (chunk[lineEnd] == '\r') {
                if (i == end) {
                    lastWasCr = true;
                } else if (chunk[i] == '\n') {
                    i++;
                }
            }
        }
        return out == null ? List.of() : out;
    }

    /** True when bytes of an unfinished event (or line) are buffered. */
    public boolean hasPartialEvent() {
        return event.hasContent() || lineLength > 0 || bomMatched > 0;
    }

    /** The last {@code id} seen on this stream (EventSource's "last event ID"), null before any. */
    public String lastEventId() {
        return lastEventId;
    }

    public void reset() {
        lineLength = 0;
        bomMatched = 0;
        lastWasCr = false;
        eventBytes = 0;
        lastEventId = null;
        event.clear();
    }

    private static int indexOfLineEnd(byte[] chunk, int from, int end) {
        for (int i = from; i < end; i++) {
            byte b = chunk[i];
            if (b == '\n' || b == '\r') {
                return i;
            }
        }
        return -1;
    }

    private void append(byte[] chunk, int from, int count) throws SseFramingException {
        if (count == 0) {
            return;
        }
        eventBytes += count;
        if (eventBytes > maxEventBytes || eventBytes < 0) {
            throw new SseFramingException(SseFramingException.EVENT_TOO_LARGE, "SSE event exceeds " + maxEventBytes + " bytes");
        }
        if (lineLength + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
        }
        System.arraycopy(chunk, from, line, lineLength, count);
        lineLength += count;
    }

    /**
     * A leading BOM is skipped even when it arrives split across chunks. Bytes that start like a BOM but
     * turn out not to be one are given back to the line.
     */
    private boolean skipsBom(byte b) throws SseFramingException {
        if (b == BOM[bomMatched]) {
            bomMatched++;
            if (bomMatched == BOM.length) {
                bomMatched = -1;
            }
            return true;
        }
        int matched = bomMatched;
        bomMatched = -1;
        append(BOM, 0, matched);
        return false;
    }

    private SseEvent endOfLine() {
        if (lineLength == 0) {
            eventBytes = 0;
            return event.dispatch();
        }
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (text.charAt(0) == ':') {
            event.comment(text.length() > 1 && text.charAt(1) == ' ' ? text.substring(2) : text.substring(1));
            return null;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> event.data(value);
            case "event" -> event.event(value);
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    event.id(value);
                    lastEventId = value;
                }
            }
            case "retry" -> {
                if (isRetryValue(value)) {
                    event.retry(Long.parseLong(value));
                }
            }
            default -> {
                // Unknown fields are ignored, as EventSource does.
            }
        }
        return null;
    }

    private static boolean isRetryValue(String value) {
        if (value.isEmpty() || value.length() > MAX_RETRY_DIGITS) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
