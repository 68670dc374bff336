package dev.tollgate.protocols.sse;

import java.util.List;

/**
 * One Server-Sent Events block. Absent fields are null; {@code data} joins multiple data lines with "\n";
 * comments are kept (a gateway re-emitting a stream keeps keep-alive comments).
 */
public record SseEvent(String id, String event, String data, Long retryMillis, List<String> comments) {

    public SseEvent {
        comments = comments == null ? List.of() : List.copyOf(comments);
    }

    public static SseEvent data(String data) {
        return new SseEvent(null, null, data, null, List.of());
    }

    public SseEvent withData(String newData) {
        return new SseEvent(id, event, newData, retryMillis, comments);
    }
}
