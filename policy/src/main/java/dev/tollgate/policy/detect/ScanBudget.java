package dev.tollgate.policy.detect;

/**
 * How many characters regular expressions may read for one document, across all its strings and rules. An upstream can
 * write a result that trips every trigger on every line (see DetectorBenchmark, "tripped"); past the budget the scan
 * stops with {@link Exceeded}, which makes the rule asking fail closed (the result is denied as unscannable) instead of
 * holding an event loop. Ordinary results read a small fraction of it: expressions run only in windows around triggers.
 */
public final class ScanBudget {

    /** The default: about 30 ms of RE2 work on this project's 2-core test machine. */
    public static final long DEFAULT_CHARS = 1_000_000;

    /** Thrown when a scan would read more than its budget. */
    public static final class Exceeded extends RuntimeException {
        Exceeded(long limit) {
            super("scanning this document would take more than " + limit + " characters of pattern matching; refused (fail closed)");
        }
    }

    private final long limit;
    private long used;

    public ScanBudget(long limit) {
        this.limit = limit;
    }

    /** Charges {@code chars} of regex reading; throws when the budget is spent. */
    void charge(int chars) {
        used += chars;
        if (used > limit) {
            throw new Exceeded(limit);
        }
    }

    public long used() {
        return used;
    }
}
