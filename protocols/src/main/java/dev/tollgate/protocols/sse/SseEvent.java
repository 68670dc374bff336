package dev.tollgate.protocols.sse;

import java.util.List;

/**
 * One Server-Sent Events block. Absent fields are null; {@code data} joins multiple data lines with "\n"
 * (an empty {@code data:} line gives "", which is how MCP priming events look); {@code comments} is never
 * null, empty when the block had none (kept so a relay can pass keep-alive comments on).
 */
public record SseEvent(String id, String event, String data, Long retryMillis, List<String> comments) {

    public SseEvent {
        if (retryMillis != null && retryMillis < 0) {
            throw new IllegalArgumentException("retryMillis cannot be negative: the wire format has digits only");
        }
        comments = comments == null ? List.of() : List.copyOf(comments);
    }

    public static SseEvent data(String data) {
        return new SseEvent(null, null, data, null, List.of());
    }

    public SseEvent withData(String newData) {
        return new SseEvent(id, event, newData, retryMillis, comments);
    }

    /** @param newId the id field to write; null writes none */
    public SseEvent withId(String newId) {
        return new SseEvent(newId, event, data, retryMillis, comments);
    }

    /** True when the block carries nothing; such an event encodes to a bare blank line and decodes to nothing. */
    public boolean isEmpty() {
        return id == null && event == null && data == null && retryMillis == null && comments.isEmpty();
    }
}
