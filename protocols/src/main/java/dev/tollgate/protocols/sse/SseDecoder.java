package dev.tollgate.protocols.sse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental decoder for the WHATWG EventSource wire format: feed chunks as they arrive, get the events
 * they complete. Lines end in LF, CR or CRLF (a CRLF split across chunks is one line end); a leading BOM is
 * skipped; {@code field:value} drops one space after the colon; a line without a colon is a field with an
 * empty value; comment lines start with ':'; {@code retry} counts only when all digits; an {@code id}
 * containing NUL is ignored; unknown fields are ignored.
 *
 * <p>Deliberate difference from a browser: a block is emitted for any blank-line-terminated block that had
 * at least one field or comment, even without data. A gateway relaying a stream must see id-only
 * "priming" events, retry hints and keep-alive comments to pass them on. Bytes are buffered per line and
 * decoded as UTF-8 only once a line is complete, so multi-byte characters may be split across chunks.
 * Not thread-safe: one decoder per stream.
 */
public final class SseDecoder {

    public static final int DEFAULT_MAX_EVENT_BYTES = 1 << 20;

    private final int maxEventBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    /** How many BOM bytes have been matched at the start of the stream; -1 once past the start. */
    private int bomMatched;
    private boolean lastWasCr;
    private int eventBytes;
    private String id;
    private String event;
    private StringBuilder data;
    private Long retry;
    private List<String> comments;
    private boolean hasContent;

    public SseDecoder(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    public SseDecoder() {
        this(DEFAULT_MAX_EVENT_BYTES);
    }

    public List<SseEvent> feed(byte[] chunk) throws SseFramingException {
        return feed(chunk, 0, chunk.length);
    }

    public List<SseEvent> feed(byte[] chunk, int offset, int length) throws SseFramingException {
        List<SseEvent> out = null;
        int i = offset;
        int end = offset + length;
        for (; i < end; i++) {
            byte b = chunk[i];
            if (bomMatched >= 0 && skipsBom(b)) {
                continue;
            }
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                SseEvent done = endOfLine();
                if (done != null) {
                    if (out == null) {
                        out = new ArrayList<>(2);
                    }
                    out.add(done);
                }
            } else {
                if (++eventBytes > maxEventBytes) {
                    throw new SseFramingException(SseFramingException.EVENT_TOO_LARGE,
                            "SSE event exceeds " + maxEventBytes + " bytes");
                }
                line.write(b);
            }
        }
        return out == null ? List.of() : out;
    }

    /** True when bytes of an unfinished event (or line) are buffered. */
    public boolean hasPartialEvent() {
        return hasContent || line.size() > 0;
    }

    public void reset() {
        line.reset();
        bomMatched = 0;
        lastWasCr = false;
        clearEvent();
    }

    /**
     * A leading BOM is skipped even when it arrives split across chunks. Bytes that start like a BOM but
     * turn out not to be one are given back to the line.
     */
    private boolean skipsBom(byte b) {
        if (b == BOM[bomMatched]) {
            bomMatched++;
            if (bomMatched == BOM.length) {
                bomMatched = -1;
            }
            return true;
        }
        line.write(BOM, 0, bomMatched);
        eventBytes += bomMatched;
        bomMatched = -1;
        return false;
    }

    private SseEvent endOfLine() {
        if (line.size() == 0) {
            return dispatch();
        }
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.charAt(0) == ':') {
            if (comments == null) {
                comments = new ArrayList<>(1);
            }
            comments.add(text.length() > 1 && text.charAt(1) == ' ' ? text.substring(2) : text.substring(1));
            hasContent = true;
            return null;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value.length());
                } else {
                    data.append('\n');
                }
                data.append(value);
                hasContent = true;
            }
            case "event" -> {
                event = value;
                hasContent = true;
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    id = value;
                    hasContent = true;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    retry = Long.parseLong(value);
                    hasContent = true;
                }
            }
            default -> {
                // Unknown fields are ignored, as EventSource does.
            }
        }
        return null;
    }

    private SseEvent dispatch() {
        if (!hasContent) {
            clearEvent();
            return null;
        }
        SseEvent done = new SseEvent(id, event, data == null ? null : data.toString(), retry, comments);
        clearEvent();
        return done;
    }

    private void clearEvent() {
        id = null;
        event = null;
        data = null;
        retry = null;
        comments = null;
        hasContent = false;
        eventBytes = 0;
    }
}
