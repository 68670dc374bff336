package dev.tollgate.policy.detect;

/**
 * A named check on text that reports where it matched, so a match can be audited by location and redacted in place.
 * Implementations run on the event loop over tool results: linear in the text's length (RE2 expressions, single
 * passes), no I/O, no state between calls.
 */
public interface Detector {

    /** The name policies use: {@code check: {name: <name>}}. */
    String name();

    /** Reports each match in {@code text} as a span of the original text (start inclusive, end exclusive). */
    void scan(TextView text, SpanSink out);

    /**
     * Whether it reports links, which end where a character read apart is (a link cut there in one reading is read on
     * in another, and reported there): see {@link DocumentScan}.
     */
    default boolean reportsLinks() {
        return false;
    }

    /** Receives matches. */
    @FunctionalInterface
    interface SpanSink {
        /** @param kind what matched, for the audit record (e.g. {@code aws_access_key}, {@code email}) */
        void found(int start, int end, String kind);
    }
}
