package dev.tollgate.protocols.sse;

/** A stream that cannot be framed safely (an event larger than the limit). */
public final class SseFramingException extends Exception {

    public static final String EVENT_TOO_LARGE = "sse_event_too_large";

    private final String reason;

    public SseFramingException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
