package dev.tollgate.policy.condition;

/**
 * An AGT {@code matches} pattern: Python {@code re.search} syntax, run by RE2/J through {@link LinearRegex}.
 * Python's {@code \d \w \s} are Unicode-aware on text, RE2's are ASCII, and RE2/J has no flag to change that,
 * so the escapes are rewritten into Unicode classes before compiling ({@code \d} is {@code \p{Nd}}, as
 * Python's {@code str.isdecimal}). What cannot be rewritten stays ASCII: {@code \b}/{@code \B}, and
 * {@code \W}/{@code \S} inside a bracket class (RE2 has no nested classes).
 *
 * <p>Good: {@code (?i)\bdrop\s+table\b}. Refused at load like any pattern RE2 cannot run in linear time:
 * {@code (?=x)}, {@code (a)\1}, and Python-only syntax ({@code (?x)}, {@code (?#...)}).
 */
public final class PythonRegex {

    private static final String DIGIT = "\\p{Nd}";
    // Python's \w: str.isalnum() (letters and numbers of every script) and underscore.
    private static final String WORD = "\\p{L}\\p{N}_";
    // Python's \s: str.isspace(): \t-\r, \x1c-\x1f, NEL and the Unicode separators.
    private static final String SPACE = "\\x{9}-\\x{d}\\x{1c}-\\x{1f}\\x{85}\\p{Z}";

    private PythonRegex() {
    }

    /** Compiles a Python pattern; IllegalArgumentException says what is wrong, naming the pattern as written. */
    public static LinearRegex compile(String python) {
        return LinearRegex.compile(toRe2(python));
    }

    /** The RE2 spelling of a Python pattern (escapes rewritten, everything else as written). */
    public static String toRe2(String python) {
        StringBuilder out = new StringBuilder(python.length() + 16);
        boolean inClass = false;
        int n = python.length();
        for (int i = 0; i < n; i++) {
            char c = python.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char e = python.charAt(++i);
                switch (e) {
                    case 'd' -> out.append(DIGIT);
                    case 'D' -> out.append("\\P{Nd}");
                    case 'w' -> out.append(inClass ? WORD : "[" + WORD + "]");
                    case 'W' -> out.append(inClass ? "\\W" : "[^" + WORD + "]");
                    case 's' -> out.append(inClass ? SPACE : "[" + SPACE + "]");
                    case 'S' -> out.append(inClass ? "\\S" : "[^" + SPACE + "]");
                    case 'Z' -> out.append("\\z");
                    case 'u', 'U' -> {
                        int digits = e == 'u' ? 4 : 8;
                        if (isHex(python, i + 1, digits)) {
                            out.append("\\x{").append(python, i + 1, i + 1 + digits).append('}');
                            i += digits;
                        } else {
                            out.append('\\').append(e);
                        }
                    }
                    default -> out.append('\\').append(e);
                }
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                out.append(c);
                continue;
            }
            out.append(c);
            if (c == '[') {
                inClass = true;
                // In Python (and RE2) a ']' right after '[' or '[^' is a literal, not the end of the class.
                if (i + 1 < n && python.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < n && python.charAt(i + 1) == ']') {
                    out.append(']');
                    i++;
                }
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s, int from, int count) {
        if (from + count > s.length()) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
