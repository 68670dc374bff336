package dev.tollgate.policy;

/**
 * A condition looked at a value holding a number that a double does not hold as written (an integer beyond 2^53,
 * a decimal such as {@code 10000.0000000000001}, an integer written {@code 1234.0}; see
 * {@link dev.tollgate.policy.condition.NumberReadings}), or a fraction a reader binding it to an integer type drops, or a number or boolean a string field keeps as text, and
 * decided one way on its exact value and the other way on the value a JavaScript upstream reads or on its integer part. The gateway cannot know which reading the upstream uses, so the rule
 * denies, fail closed, with its own decision ({@link Decision.Failure#NUMBER_READINGS_DISAGREE}). Values no
 * condition looks at, and values every condition decides alike on, pass: a 64-bit identifier is not refused for
 * being one. Thrown on caller input, so it carries no stack trace.
 */
public final class NumberReadingsDisagreeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param where what was tested ("argument at /amount"), with the value in both readings
     */
    public NumberReadingsDisagreeException(String where) {
        super(where + " is decided differently on its exact value and on a reading an upstream may act on (a JavaScript"
                + " upstream's double, the integer a Java long field reads, or the text a String field keeps); denied (fail closed)", null, false, false);
    }
}
