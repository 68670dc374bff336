package dev.tollgate.policy.condition;

import java.math.BigDecimal;

/**
 * A string an upstream may read as a number: {@code "42"}, {@code " -7 "}, {@code "+3.5"}, {@code "4.2e1"} (what
 * Jackson's string-to-integer coercion, {@code new BigDecimal(text)} and Python's {@code int()} accept, give or take
 * surrounding spaces). Anything else, and exponents that would make a huge integer ({@code "1e999999999"}, whose
 * integer part is a billion digits), is not a number here.
 */
final class DecimalText {

    /** Longest text read as a number: identifiers and amounts are far shorter; scanning stays bounded. */
    private static final int MAX_CHARS = 64;
    /** Largest decimal exponent kept: beyond a double's range no upstream reads an integer out of it either. */
    private static final int MAX_EXPONENT = 400;

    private DecimalText() {
    }

    /** The number {@code text} spells, or null. */
    static BigDecimal parse(String text) {
        if (text.isEmpty() || text.length() > MAX_CHARS) {
            return null;
        }
        String trimmed = text.strip();
        if (!looksDecimal(trimmed)) {
            return null;
        }
        try {
            BigDecimal value = new BigDecimal(trimmed);
            return Math.abs((long) value.precision() - value.scale()) > MAX_EXPONENT ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Optional sign, digits with at most one point and at least one digit, optional exponent. */
    private static boolean looksDecimal(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        boolean point = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = 0;
            for (; i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == n;
    }
}
