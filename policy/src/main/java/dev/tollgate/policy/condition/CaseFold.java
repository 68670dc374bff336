package dev.tollgate.policy.condition;

/**
 * The one case folding the literal prefilter uses on both sides, the pattern's literals and the text:
 * {@code toLowerCase(toUpperCase(c))}. It maps every character to the same value as each character a
 * case-insensitive match may pair it with (k, K and the Kelvin sign K; s, S and the long s ſ; σ, ς and Σ), which
 * is exactly java.util.regex's UNICODE_CASE test and covers RE2's simple case-folding orbits (see
 * {@code CaseFoldTest}). Folding a case-sensitive literal too only lets more texts through, never fewer.
 */
public final class CaseFold {

    private CaseFold() {
    }

    public static char fold(char c) {
        if (c < 0x80) {
            return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return Character.toLowerCase(Character.toUpperCase(c));
    }
}
