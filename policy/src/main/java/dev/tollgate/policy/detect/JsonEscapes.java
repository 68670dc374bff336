package dev.tollgate.policy.detect;

import java.util.Arrays;

/**
 * A string as a JSON reader reads it when it is JSON text (a member whose value is written AKIA, a backslash-u escape
 * of I, then OSFODNN7EXAMPLE): a tool's text content mirroring its structuredContent, which clients and agent
 * frameworks {@code JSON.parse}, and which a model reads through its escapes (review BY). Its escapes are decoded
 * (backslash-u 0049 is I; an escaped backslash, an escaped quote and the other one-letter escapes too, so an escaped
 * backslash before u0049 stays the characters it is to JSON); only text holding a backslash-u escape is read so, the
 * escape that writes a letter as other characters.
 *
 * <p>The reading maps each character back to its escape as written ({@link CharacterReferences.Decoded}), so a finding
 * covers whole escapes and a redaction replaces them.
 */
final class JsonEscapes {

    private JsonEscapes() {
    }

    /** The text with its JSON escapes decoded, or null when it holds no backslash-u escape (most text). */
    static CharacterReferences.Decoded decode(String s) {
        if (!holdsUnicodeEscape(s)) {
            return null;
        }
        int n = s.length();
        StringBuilder out = new StringBuilder(n);
        int[] from = new int[n];
        int[] to = new int[n];
        int[] escapes = new int[8];
        int count = 0;
        int i = 0;
        while (i < n) {
            int end = escapeEnd(s, i);
            if (end == i) {
                from[out.length()] = i;
                to[out.length()] = i + 1;
                out.append(s.charAt(i++));
                continue;
            }
            if (count == escapes.length) {
                escapes = Arrays.copyOf(escapes, count * 2);
            }
            escapes[count++] = out.length();
            from[out.length()] = i;
            to[out.length()] = end;
            out.append(end - i == 6 ? (char) Integer.parseInt(s.substring(i + 2, end), 16) : unescaped(s.charAt(i + 1)));
            i = end;
        }
        return new CharacterReferences.Decoded(out.toString(), Arrays.copyOf(from, out.length()), Arrays.copyOf(to, out.length()),
                Arrays.copyOf(escapes, count), false);
    }

    private static boolean holdsUnicodeEscape(String s) {
        for (int i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 1)) {
            if (escapeEnd(s, i) - i == 6) {
                return true;
            }
        }
        return false;
    }

    /** The end of the escape starting at {@code i}, or {@code i} when none does. */
    private static int escapeEnd(String s, int i) {
        if (s.charAt(i) != '\\' || i + 1 >= s.length()) {
            return i;
        }
        char c = s.charAt(i + 1);
        if (c == 'u') {
            if (i + 6 > s.length()) {
                return i;
            }
            for (int k = i + 2; k < i + 6; k++) {
                if (!isAsciiHex(s.charAt(k))) {
                    return i;
                }
            }
            return i + 6;
        }
        return unescaped(c) != 0 ? i + 2 : i;
    }

    private static boolean isAsciiHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** What a one-letter escape stands for, or 0 when {@code c} makes none. */
    private static char unescaped(char c) {
        return switch (c) {
            case '"', '\\', '/' -> c;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            default -> 0;
        };
    }
}
