package dev.tollgate.policy.condition;

/**
 * The one folding the literal prefilter applies on both sides, the pattern's literals and the text, so that a
 * literal found in the folded text is found in every text the pattern could match:
 * <ul>
 *   <li>case: {@code toLowerCase(toUpperCase(c))}, which maps every character to the same value as each character a
 *       case-insensitive match may pair it with (k, K and the Kelvin sign; s, S and the long s; σ, ς and Σ). This
 *       is exactly java.util.regex's UNICODE_CASE test, and covers RE2/J's case orbits (see CaseFoldTest);</li>
 *   <li>Python's {@code \s} (\t-\r, \x1c-\x1f, NEL, category Z) other than the space itself to a tab, so
 *       {@code i\s+g} needs "i " or "i\t", and a class of control characters that happens to hold \x0b still
 *       needs a character ordinary prose lacks;</li>
 *   <li>ASCII digits to '0', so {@code [0-9]} is one literal character (other digits are non-ASCII, which the
 *       prefilter tests separately).</li>
 * </ul>
 * Merging characters only makes literals occur more often: never fewer texts pass. A case-sensitive literal is
 * folded too, for the same reason.
 */
public final class CaseFold {

    private static final char[] FOLD = new char[Character.MAX_VALUE + 1];

    static {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            FOLD[c] = compute((char) c);
        }
    }

    private CaseFold() {
    }

    private static char compute(char c) {
        if (c >= '0' && c <= '9') {
            return '0';
        }
        if (c != ' ' && isPythonSpace(c)) {
            return '\t';
        }
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    /** Python's {@code str.isspace()} on one character, as {@link PythonRegex} spells {@code \s}. */
    static boolean isPythonSpace(char c) {
        if (c <= 0x20) {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
        }
        int type = Character.getType(c);
        return c == 0x85 || type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    public static char fold(char c) {
        return FOLD[c];
    }
}
