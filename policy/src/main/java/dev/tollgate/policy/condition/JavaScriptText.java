package dev.tollgate.policy.condition;

import java.math.BigDecimal;

/**
 * The text JavaScript's {@code String(x)} gives a number (ECMA-262 Number::toString, radix 10): an integral value
 * below 10^21 without a fraction ({@code 42.0} is "42"), plain digits from 10^-6, an exponent otherwise ("1e+21",
 * "1.5e-7"), in the shortest digits that read back as the double ({@link ShortestDigits}).
 */
public final class JavaScriptText {

    /** JavaScript writes plain digits below 10^21 ... */
    private static final int LARGEST_PLAIN_EXPONENT = 21;
    /** ... and from 10^-6 up. */
    private static final int SMALLEST_PLAIN_EXPONENT = -6;

    private JavaScriptText() {
    }

    public static String of(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return "0"; // -0 too
        }
        BigDecimal shortest = ShortestDigits.of(Math.abs(d));
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        // The value is 0.<digits> x 10^n, the n of the specification's algorithm.
        int n = k - shortest.scale();
        String sign = d < 0 ? "-" : "";
        if (k <= n && n <= LARGEST_PLAIN_EXPONENT) {
            return sign + digits + "0".repeat(n - k);
        }
        if (0 < n && n <= LARGEST_PLAIN_EXPONENT) {
            return sign + digits.substring(0, n) + "." + digits.substring(n);
        }
        if (SMALLEST_PLAIN_EXPONENT < n && n <= 0) {
            return sign + "0." + "0".repeat(-n) + digits;
        }
        int exponent = n - 1;
        return sign + digits.charAt(0) + (k == 1 ? "" : "." + digits.substring(1)) + "e" + (exponent >= 0 ? "+" : "-") + Math.abs(exponent);
    }
}
