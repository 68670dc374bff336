package dev.tollgate.protocols.json;

/** Why a body was refused as JSON, with a stable reason code. */
public final class JsonRejection extends Exception {

    /** Each reason's {@link #code()} is a stable, lower-case string clients and metrics key on. */
    public enum Reason {
        INVALID_UTF8("invalid_utf8"),
        LONE_SURROGATE("lone_surrogate"),
        DUPLICATE_KEY("duplicate_key"),
        TOO_DEEP("nesting_too_deep"),
        MALFORMED("invalid_json"),
        EMPTY("empty_body");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public JsonRejection(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
