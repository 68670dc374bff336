package dev.tollgate.policy;

/**
 * A {@code matches} condition met a value longer than its pattern may scan
 * ({@link dev.tollgate.policy.condition.LinearRegex#maxInputChars()}):
 * even a linear-time scan of it would hold the event loop too long, so the rule denies (fail closed) with its
 * own decision ({@link Decision.Failure#REGEX_INPUT_TOO_LONG}). Thrown on caller input, so it carries no
 * stack trace: an attacker repeating it costs one small allocation, not a stack walk.
 */
public final class RegexInputTooLongException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String where;
    private final int length;
    private final int limit;

    /**
     * @param where  what was scanned, for the message ("argument at /x"); null when unknown
     * @param length its length in chars
     * @param limit  the most a regular expression may scan
     */
    public RegexInputTooLongException(String where, int length, int limit) {
        super((where == null ? "value" : where) + " is " + length + " characters, over the " + limit
                + " characters this regular expression may scan; denied (fail closed)", null, false, false);
        this.where = where;
        this.length = length;
        this.limit = limit;
    }

    /** The same failure, saying where the value came from. */
    public RegexInputTooLongException at(String where) {
        return new RegexInputTooLongException(where, length, limit);
    }

    public String where() {
        return where;
    }

    public int length() {
        return length;
    }

    public int limit() {
        return limit;
    }
}
