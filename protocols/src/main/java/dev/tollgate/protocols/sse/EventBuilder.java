package dev.tollgate.protocols.sse;

import java.util.ArrayList;
import java.util.List;

/** The fields of the event being decoded, until a blank line dispatches it. */
final class EventBuilder {

    private String id;
    private String event;
    private StringBuilder data;
    private Long retry;
    private List<String> comments;
    private boolean hasContent;

    void data(String value) {
        if (data == null) {
            data = new StringBuilder(value.length());
        } else {
            data.append('\n');
        }
        data.append(value);
        hasContent = true;
    }

    void event(String value) {
        event = value;
        hasContent = true;
    }

    void id(String value) {
        id = value;
        hasContent = true;
    }

    void retry(long millis) {
        retry = millis;
        hasContent = true;
    }

    void comment(String text) {
        if (comments == null) {
            comments = new ArrayList<>(1);
        }
        comments.add(text);
        hasContent = true;
    }

    boolean hasContent() {
        return hasContent;
    }

    /** @return the finished event, or null for a block that held nothing (blank lines only, ignored fields) */
    SseEvent dispatch() {
        SseEvent done = hasContent ? new SseEvent(id, event, data == null ? null : data.toString(), retry, comments) : null;
        clear();
        return done;
    }

    void clear() {
        id = null;
        event = null;
        data = null;
        retry = null;
        comments = null;
        hasContent = false;
    }
}
