package dev.tollgate.policy.condition;

import java.math.BigDecimal;

/**
 * A string an upstream may read as a number: {@code "42"}, {@code " -7 "}, {@code "+3.5"}, {@code "4.2e1"},
 * {@code "0042"}, {@code "4_2"}, {@code "４２"} (what Jackson's string-to-integer coercion, {@code Long.parseLong},
 * {@code new BigDecimal(text)} and Python's {@code int()} accept: surrounding spaces and control characters trimmed,
 * any Unicode decimal digits, underscores between digits). Anything else, and exponents that would make a huge integer
 * ({@code "1e999999999"}, whose integer part is a billion digits), is not a number here. Text after the number
 * ({@code "42abc"}, which JavaScript's {@code parseInt} reads as 42) is not modelled.
 */
final class DecimalText {

    /** Longest number read, once padding is dropped: identifiers and amounts are far shorter; parsing stays bounded. */
    private static final int MAX_CHARS = 64;
    /** Largest decimal exponent kept: beyond a double's range no upstream reads an integer out of it either. */
    private static final int MAX_EXPONENT = 400;

    private DecimalText() {
    }

    /** The number {@code text} spells, or null. */
    static BigDecimal parse(String text) {
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
        StringBuilder number = new StringBuilder(Math.min(end - start, MAX_CHARS + 2));
        int i = start;
        if (text.charAt(i) == '+' || text.charAt(i) == '-') {
            number.append(text.charAt(i++));
        }
        // Digits are read as code points: Python's int() takes the decimal digits outside the basic plane too ("𝟒𝟐").
        // Leading zeros say nothing to any reader: "000...042" is 42 however many there are.
        while (i < end && Character.digit(text.codePointAt(i), 10) == 0) {
            int next = i + Character.charCount(text.codePointAt(i));
            if (next >= end || !Character.isDigit(text.codePointAt(next))) {
                break;
            }
            i = next;
        }
        int digits = 0;
        boolean point = false;
        while (i < end && number.length() <= MAX_CHARS) {
            int c = text.codePointAt(i);
            int width = Character.charCount(c);
            if (Character.isDigit(c)) {
                number.append((char) ('0' + Character.digit(c, 10)));
                digits++;
            } else if (c == '_' && digits > 0 && i + 1 < end && Character.isDigit(text.codePointAt(i + 1))) {
                // Python's digit separator
            } else if (c == '.' && !point) {
                point = true;
                number.append('.');
            } else {
                break;
            }
            i += width;
        }
        if (digits == 0 || number.length() > MAX_CHARS) {
            return null;
        }
        if (i < end && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            number.append('e');
            i++;
            if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                number.append(text.charAt(i++));
            }
            // Leading zeros of the exponent say nothing either ("4.2e00000000001" is 42); the cap counts the others.
            boolean zeros = false;
            while (i < end && Character.digit(text.codePointAt(i), 10) == 0) {
                zeros = true;
                i += Character.charCount(text.codePointAt(i));
            }
            int exponentDigits = 0;
            while (i < end && Character.isDigit(text.codePointAt(i)) && exponentDigits < 10) {
                number.append((char) ('0' + Character.digit(text.codePointAt(i), 10)));
                exponentDigits++;
                i += Character.charCount(text.codePointAt(i));
            }
            if (exponentDigits == 0 && !zeros) {
                return null;
            }
            if (exponentDigits == 0) {
                number.append('0');
            }
        }
        if (i != end) {
            return null;
        }
        try {
            BigDecimal value = new BigDecimal(number.toString());
            return Math.abs((long) value.precision() - value.scale()) > MAX_EXPONENT ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * What some reader trims: every character up to U+0020 and Java's and Unicode's spaces, U+0085 (NEL, space to
     * Python's {@code str.strip()}) and U+FEFF (a byte order mark, space to JavaScript's {@code Number()}).
     */
    private static boolean isPadding(char c) {
        return c <= ' ' || c == '\u0085' || c == '\uFEFF' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static boolean isStart(int c) {
        return c == '+' || c == '-' || c == '.' || Character.isDigit(c);
    }
}
