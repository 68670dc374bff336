package dev.tollgate.policy.condition;

import java.math.BigDecimal;

/**
 * A string an upstream may read as a number: {@code "42"}, {@code " -7 "}, {@code "+3.5"}, {@code "4.2e1"},
 * {@code "0042"}, {@code "4_2"}, {@code "４２"} (what Jackson's string-to-integer coercion, {@code Long.parseLong},
 * {@code new BigDecimal(text)} and Python's {@code int()} accept: surrounding spaces and control characters trimmed,
 * any Unicode decimal digits, underscores between digits). Read exactly whatever the number of digits (review BX:
 * {@code "4.2" + 70 zeros + "e1"} is 42 to {@code Number()}, and was no number here when a 64-character cap counted its
 * zeros), within bounds that keep parsing cheap: see {@link #MAX_CHARS}, {@link #MAX_SIGNIFICANT}, {@link #MAX_EXPONENT}
 * ({@code "1e999999999"} is no number, as JavaScript's Infinity equals none; {@code "1e-999999999"} is 0). Anything else
 * is not a number here. Text after the number ({@code "42abc"}, which JavaScript's {@code parseInt} reads as 42) is
 * not modelled here.
 */
final class DecimalText {

    /**
     * Longest text read (padding included): a number's text is far shorter, and parsing stays bounded. A longer text
     * that looks like a number is {@link #tooLongToRead} (a denial where a number is tested), not "not a number".
     */
    static final int MAX_CHARS = 4096;
    /**
     * Significant digits kept exactly (zeros before the first and after the last non-zero digit are not counted: a
     * {@code "4.2000…0e1"} of any length is 42); past them a non-zero digit is kept as one last digit 1. No rule names a
     * number that long, and the place of that digit keeps every comparison a reading makes: equality with a shorter
     * number, the integer part (at most 401 digits, see {@link #MAX_EXPONENT}), rounding up or down, and the double
     * the text rounds to (a midpoint between two doubles has at most 767 significant digits).
     */
    private static final int MAX_SIGNIFICANT = 800;
    /**
     * Largest decimal exponent kept: beyond a double's range JavaScript's {@code Number()} reads an infinity (here: no
     * number, which equals none a rule names) or 0 (here: 0), and no upstream reads an integer out of it either.
     */
    private static final int MAX_EXPONENT = 400;
    /** An exponent of more digits is past {@link #MAX_EXPONENT} whatever the digits before it (at most {@link #MAX_CHARS}). */
    private static final int MAX_EXPONENT_DIGITS = 9;

    private DecimalText() {
    }

    /**
     * True for a text longer than {@link #MAX_CHARS} whose first {@link #MAX_CHARS} characters are what a number is
     * written with (digits, padding, a sign, a point, an exponent): {@link #parse} does not read it, and a reader
     * without a limit may read a number out of it ({@code "42." + 5000 zeros}); a test naming a number denies it.
     */
    static boolean tooLongToRead(String text) {
        if (text.length() <= MAX_CHARS) {
            return false;
        }
        int i = 0;
        while (i < MAX_CHARS && isPadding(text.charAt(i))) {
            i++; // a blank text is 0 to Number(): all padding up to the limit is read as a number too
        }
        for (; i < MAX_CHARS; i++) {
            char c = text.charAt(i);
            if (!Character.isDigit(c) && "+-._eE".indexOf(c) < 0 && !Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The number {@code text} spells, or null (also for a text longer than {@link #MAX_CHARS}). */
    static BigDecimal parse(String text) {
        if (text.length() > MAX_CHARS) {
            return null;
        }
        int start = 0;
        int end = text.length();
        // Trimmed as String.trim() (every character up to U+0020) and Python (Unicode spaces) trim.
        while (start < end && isPadding(text.charAt(start))) {
            start++;
        }
        while (end > start && isPadding(text.charAt(end - 1))) {
            end--;
        }
        if (start == end || !isStart(text.codePointAt(start))) {
            return null; // the common case, words: one look at the first character
        }
        int i = start;
        boolean negative = false;
        if (text.charAt(i) == '+' || text.charAt(i) == '-') {
            negative = text.charAt(i++) == '-';
        }
        // The value is kept x 10^(counted - kept.length() - fractionDigits + exponent): kept holds the first significant
        // digits (leading zeros say nothing to any reader: "000...042" is 42 however many there are), counted every digit
        // from the first non-zero one, fractionDigits every digit after the point.
        StringBuilder kept = new StringBuilder();
        boolean sticky = false;
        long counted = 0;
        long fractionDigits = 0;
        int digits = 0;
        boolean point = false;
        while (i < end) {
            int c = text.codePointAt(i);
            int width = Character.charCount(c);
            if (Character.isDigit(c)) {
                int digit = Character.digit(c, 10);
                digits++;
                if (point) {
                    fractionDigits++;
                }
                if (counted > 0 || digit != 0) {
                    counted++;
                    if (kept.length() < MAX_SIGNIFICANT) {
                        kept.append((char) ('0' + digit));
                    } else if (digit != 0) {
                        sticky = true;
                    }
                }
            } else if (c == '_' && digits > 0 && i + 1 < end && Character.isDigit(text.codePointAt(i + 1))) {
                // Python's digit separator
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
            i += width;
        }
        if (digits == 0) {
            return null;
        }
        long exponent = 0;
        if (i < end && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                negativeExponent = text.charAt(i++) == '-';
            }
            // Leading zeros of the exponent say nothing either ("4.2e00000000001" is 42).
            boolean any = false;
            int exponentDigits = 0;
            while (i < end && Character.isDigit(text.codePointAt(i))) {
                int digit = Character.digit(text.codePointAt(i), 10);
                any = true;
                if (exponentDigits > 0 || digit != 0) {
                    exponentDigits++;
                    // Saturates: a longer exponent is past the range, and the digits are still checked to the end.
                    exponent = exponentDigits > MAX_EXPONENT_DIGITS ? 10L * Integer.MAX_VALUE : exponent * 10 + digit;
                }
                i += Character.charCount(text.codePointAt(i));
            }
            if (!any) {
                return null;
            }
            exponent = negativeExponent ? -exponent : exponent;
        }
        if (i != end) {
            return null;
        }
        // Trailing zeros of what is kept are counted, not kept.
        int length = kept.length();
        while (length > 0 && kept.charAt(length - 1) == '0' && !sticky) {
            length--;
        }
        if (length == 0) {
            return BigDecimal.ZERO;
        }
        kept.setLength(length);
        long power = counted - length - fractionDigits + exponent;
        if (sticky) {
            kept.append('1');
            power--;
        }
        long leading = power + kept.length() - 1; // the decimal exponent of the first digit
        if (leading > MAX_EXPONENT) {
            return null; // an infinity to JavaScript (from about 1.8e308), an integer of hundreds of digits elsewhere
        }
        if (leading < -MAX_EXPONENT) {
            return BigDecimal.ZERO; // 0 to JavaScript (below about 5e-324), and its integer part is 0
        }
        BigDecimal value = new BigDecimal(new java.math.BigInteger((negative ? "-" : "") + kept), (int) -power);
        return value.scale() < 0 ? value.setScale(0) : value;
    }

    /**
     * What some reader trims: every character up to U+0020 and Java's and Unicode's spaces, U+0085 (NEL, space to
     * Python's {@code str.strip()}) and U+FEFF (a byte order mark, space to JavaScript's {@code Number()}).
     */
    static boolean isPadding(char c) {
        return c <= ' ' || c == '\u0085' || c == '\uFEFF' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static boolean isStart(int c) {
        return c == '+' || c == '-' || c == '.' || Character.isDigit(c);
    }
}
