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
        if (start == end || !isStart(text.charAt(start))) {
            return null; // the common case, words: one look at the first character
        }
        StringBuilder number = new StringBuilder(Math.min(end - start, MAX_CHARS + 2));
        int i = start;
        if (text.charAt(i) == '+' || text.charAt(i) == '-') {
            number.append(text.charAt(i++));
        }
        // Leading zeros say nothing to any reader: "000...042" is 42 however many there are.
        while (i + 1 < end && Character.digit(text.charAt(i), 10) == 0 && Character.isDigit(text.charAt(i + 1))) {
            i++;
        }
        int digits = 0;
        boolean point = false;
        for (; i < end && number.length() <= MAX_CHARS; i++) {
            char c = text.charAt(i);
            if (Character.isDigit(c)) {
                number.append((char) ('0' + Character.digit(c, 10)));
                digits++;
            } else if (c == '_' && digits > 0 && i + 1 < end && Character.isDigit(text.charAt(i + 1))) {
                continue; // Python's digit separator
            } else if (c == '.' && !point) {
                point = true;
                number.append('.');
            } else {
                break;
            }
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
            int exponentDigits = 0;
            for (; i < end && Character.isDigit(text.charAt(i)) && exponentDigits < 10; i++, exponentDigits++) {
                number.append((char) ('0' + Character.digit(text.charAt(i), 10)));
            }
            if (exponentDigits == 0) {
                return null;
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

    private static boolean isPadding(char c) {
        return c <= ' ' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static boolean isStart(char c) {
        return c == '+' || c == '-' || c == '.' || Character.isDigit(c);
    }
}
