package dev.tollgate.policy.condition;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The shortest decimal that reads back as a given double, the digits JavaScript's {@code String()} and Python's
 * {@code repr()} write. Java 17's {@code Double.toString} gives them for most doubles but not all (JDK-4511638: 2e23 is
 * 1.9999999999999998E23 to it, and many doubles between 1e16 and 1e19 get a digit they do not need, which makes an
 * 18-digit identifier's JavaScript text another string, and 5e-324 is 4.9E-324), so the shortest is searched below
 * the length Java wrote.
 */
final class ShortestDigits {

    /** Java 17's digits for a normal double when it wrote at most this many (its errors are longer). */
    private static final int DIGITS_TRUSTED = 15;
    /** Digits of the exact value kept before rounding to a candidate length. */
    private static final int EXACT_DIGITS_KEPT = 25;
    /** A double never needs more. */
    private static final int MAX_DIGITS = 17;

    private ShortestDigits() {
    }

    /** The shortest decimal reading back as {@code d} (finite, not zero), without trailing zeros. */
    static BigDecimal of(double d) {
        BigDecimal java = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        // Java 17 errs long (17 or more digits) for normal doubles; short answers there are already the shortest. The
        // search below costs a few BigDecimal roundings, which a list of numbers read as text would pay per element.
        if (java.precision() == 1 || java.precision() <= DIGITS_TRUSTED && Math.abs(d) >= Double.MIN_NORMAL) {
            return java;
        }
        // 25 digits of the exact value are enough to round to at most 17 (each candidate is checked). A subnormal's exact
        // value has ~750 digits, costly to write out per element of a list: Java's own digits stand in for it there.
        BigDecimal exact = Math.abs(d) < Double.MIN_NORMAL ? java
                : new BigDecimal(d).round(new MathContext(EXACT_DIGITS_KEPT, RoundingMode.HALF_EVEN));
        // If the closest decimal of n digits reads back as d, so does the closest of n + 1: a binary search finds the
        // fewest in about four roundings, where trying every length took up to sixteen.
        BigDecimal best = java;
        int low = 1;
        int high = Math.min(java.precision() - 1, MAX_DIGITS);
        while (low <= high) {
            int digits = (low + high) >>> 1;
            BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                best = candidate.stripTrailingZeros();
                high = digits - 1;
            } else {
                low = digits + 1;
            }
        }
        return best;
    }
}
