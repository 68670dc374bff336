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
        BigDecimal exact = new BigDecimal(d);
        for (int digits = 1; digits < java.precision() && digits <= MAX_DIGITS; digits++) {
            // The closest decimal of this many digits: if any of that length reads back as d, this one does.
            BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                return candidate.stripTrailingZeros();
            }
        }
        return java;
    }
}
