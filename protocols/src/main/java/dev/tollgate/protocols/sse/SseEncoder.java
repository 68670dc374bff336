package dev.tollgate.protocols.sse;

import java.nio.charset.StandardCharsets;

/**
 * Writes an {@link SseEvent} in the form {@link SseDecoder} reads back identically: comments, event, id,
 * retry, then one {@code data:} line per line of data, then a blank line. Every field is written as
 * {@code name: value} (one space, which the decoder strips, so a value that itself starts with a space
 * survives). Data "" is written as {@code "data: "}, so MCP priming events survive a round trip.
 *
 * <p>Round trip holds for every event the decoder can produce. Other inputs are made safe rather than
 * exact: a line break inside {@code id} or {@code event} cuts the value there (it would otherwise inject a
 * field), a comment with line breaks becomes several comments, CR and CRLF inside data become LF, and an
 * {@link SseEvent#isEmpty() empty} event is a bare blank line.
 */
public final class SseEncoder {

    private SseEncoder() {
    }

    public static byte[] encode(SseEvent e) {
        StringBuilder sb = new StringBuilder(64 + (e.data() == null ? 0 : e.data().length()));
        for (String comment : e.comments()) {
            for (String line : comment.split("\r\n|\r|\n", -1)) {
                sb.append(": ").append(line).append('\n');
            }
        }
        if (e.event() != null) {
            sb.append("event: ").append(singleLine(e.event())).append('\n');
        }
        if (e.id() != null) {
            sb.append("id: ").append(singleLine(e.id())).append('\n');
        }
        if (e.retryMillis() != null) {
            sb.append("retry: ").append(e.retryMillis()).append('\n');
        }
        if (e.data() != null) {
            for (String line : e.data().split("\r\n|\r|\n", -1)) {
                sb.append("data: ").append(line).append('\n');
            }
        }
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A field value cannot hold a line break; anything after one would become a new field. */
    private static String singleLine(String value) {
        int cut = indexOfLineBreak(value);
        return cut < 0 ? value : value.substring(0, cut);
    }

    private static int indexOfLineBreak(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r') {
                return i;
            }
        }
        return -1;
    }
}
