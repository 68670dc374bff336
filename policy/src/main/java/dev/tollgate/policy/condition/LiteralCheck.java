package dev.tollgate.policy.condition;

/**
 * A {@link LiteralQuery} tested directly against one text: for a single pattern outside any document-wide
 * prefilter (native {@code matches} conditions), where scanning the text once with {@code String.contains} per
 * literal costs a fraction of starting RE2/J, which allocates its input and machine on every search.
 */
final class LiteralCheck {

    private final LiteralQuery query;

    private LiteralCheck(LiteralQuery query) {
        this.query = query;
    }

    /**
     * The check for a native (RE2 syntax) pattern, or null when the pattern must always run. The literals come
     * from the Python-syntax reading of the pattern, which RE2 syntax shares for the constructs that yield
     * literals; patterns using RE2-only syntax the Python reading could take for literal text are given no check.
     */
    static LiteralCheck forNativePattern(String source) {
        for (String re2Only : new String[] {"\\Q", "\\p", "\\P", "[[:", "\\x{", "\\C", "(?U", "\\z"}) {
            if (source.contains(re2Only)) {
                return null;
            }
        }
        try {
            LiteralQuery query = RequiredLiterals.of(source);
            return query == null ? null : new LiteralCheck(query);
        } catch (RuntimeException e) {
            return null; // not readable as Python syntax: no check, the pattern always runs
        }
    }

    /** False only when the text cannot match: it lacks what every match must contain. */
    boolean mayMatch(String text) {
        StringBuilder folded = new StringBuilder(text.length());
        boolean nonAscii = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            nonAscii |= c > 0x7f;
            folded.append(CaseFold.fold(c));
        }
        return holds(query, folded.toString(), nonAscii);
    }

    private static boolean holds(LiteralQuery query, String folded, boolean nonAscii) {
        if (query instanceof LiteralQuery.AnyOf any) {
            for (String literal : any.strings()) {
                if (folded.contains(literal)) {
                    return true;
                }
            }
            return false;
        }
        if (query instanceof LiteralQuery.NonAscii) {
            return nonAscii;
        }
        if (query instanceof LiteralQuery.And and) {
            for (LiteralQuery part : and.all()) {
                if (!holds(part, folded, nonAscii)) {
                    return false;
                }
            }
            return true;
        }
        for (LiteralQuery part : ((LiteralQuery.Or) query).any()) {
            if (holds(part, folded, nonAscii)) {
                return true;
            }
        }
        return false;
    }
}
