package dev.tollgate.gateway.audit;

import java.time.Instant;

/**
 * {@link Instant#toString()}'s text (ISO-8601 in UTC, the fraction in zero, three, six or nine digits as needed),
 * with each second's text formatted once. {@code Instant.toString} goes through a {@code DateTimeFormatter} on every
 * call: about a quarter of the audit writer's sealing time per record on the load harness. Not thread-safe: each
 * writer thread (the audit log's, the access log's) keeps its own.
 */
public final class InstantText {

    private long cachedSecond = Long.MIN_VALUE;
    /** {@code Instant.ofEpochSecond(cachedSecond).toString()} without its "Z". */
    private String cachedSecondText;
    /**
     * The second formatted before {@link #cachedSecond}: a record carries two times (its end and its decision), often in
     * two seconds, which one cached second would format again on every record.
     */
    private long previousSecond = Long.MIN_VALUE;
    private String previousSecondText;

    public String format(Instant time) {
        StringBuilder text = new StringBuilder(32);
        append(time.getEpochSecond(), time.getNano(), text);
        return text.toString();
    }

    /** Appends what {@code Instant.ofEpochSecond(epochSecond, nanos).toString()} returns. */
    public void append(long epochSecond, int nanos, StringBuilder to) {
        if (epochSecond != cachedSecond || cachedSecondText == null) {
            String text;
            if (epochSecond == previousSecond && previousSecondText != null) {
                text = previousSecondText;
            } else {
                String whole = Instant.ofEpochSecond(epochSecond).toString();
                text = whole.substring(0, whole.length() - 1);
            }
            previousSecond = cachedSecond;
            previousSecondText = cachedSecondText;
            cachedSecondText = text;
            cachedSecond = epochSecond;
        }
        to.append(cachedSecondText);
        if (nanos != 0) {
            to.append('.');
            if (nanos % 1_000_000 == 0) {
                appendDigits(nanos / 1_000_000, 3, to);
            } else if (nanos % 1_000 == 0) {
                appendDigits(nanos / 1_000, 6, to);
            } else {
                appendDigits(nanos, 9, to);
            }
        }
        to.append('Z');
    }

    /** {@code value} in exactly {@code digits} decimal digits, zero-padded on the left. */
    private static void appendDigits(int value, int digits, StringBuilder to) {
        for (int divisor = pow10(digits - 1); divisor > 0; divisor /= 10) {
            to.append((char) ('0' + value / divisor % 10));
        }
    }

    private static int pow10(int exponent) {
        int p = 1;
        for (int i = 0; i < exponent; i++) {
            p *= 10;
        }
        return p;
    }
}
