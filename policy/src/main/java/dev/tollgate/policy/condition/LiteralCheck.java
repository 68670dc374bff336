package dev.tollgate.policy.condition;

/**
 * A {@link LiteralQuery} tested directly against one text: for a single pattern outside any document-wide
 * prefilter (native {@code matches} conditions), where scanning the text once with {@code String.contains} per
 * literal costs a fraction of starting RE2/J, which allocates its input and machine on every search.
 */
public final class LiteralCheck {

    /**
     * The query as arrays: a rule's check runs on every call, and iterating the query's sets and lists cost
     * more than the {@code contains} scans themselves (JFR, 100-rule policy).
     */
    private sealed interface Test permits AnyOf, NonAscii, All, Any {
        boolean holds(String folded, boolean nonAscii);
    }

    private record AnyOf(String[] literals) implements Test {
        @Override
        public boolean holds(String folded, boolean nonAscii) {
            for (String literal : literals) {
                if (folded.contains(literal)) {
                    return true;
                }
            }
            return false;
        }
    }

    private record NonAscii() implements Test {
        @Override
        public boolean holds(String folded, boolean nonAscii) {
            return nonAscii;
        }
    }

    private record All(Test[] parts) implements Test {
        @Override
        public boolean holds(String folded, boolean nonAscii) {
            for (Test part : parts) {
                if (!part.holds(folded, nonAscii)) {
                    return false;
                }
            }
            return true;
        }
    }

    private record Any(Test[] parts) implements Test {
        @Override
        public boolean holds(String folded, boolean nonAscii) {
            for (Test part : parts) {
                if (part.holds(folded, nonAscii)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The last text folded on this thread: the rules of a policy test the same argument value one after the
     * other (the same String instance), and folding it once instead of once per rule is most of the saving.
     * Identity is enough: folding is a function of the text, so a reused instance can only give the same result.
     */
    private static final class LastFolded {
        String source;
        String folded;
        boolean nonAscii;
    }

    private static final ThreadLocal<LastFolded> LAST_FOLDED = ThreadLocal.withInitial(LastFolded::new);

    private final Test test;

    private LiteralCheck(LiteralQuery query) {
        this.test = compile(query);
    }

    private static Test compile(LiteralQuery query) {
        if (query instanceof LiteralQuery.AnyOf any) {
            return anyOf(any.strings());
        }
        if (query instanceof LiteralQuery.NonAscii) {
            return new NonAscii();
        }
        if (query instanceof LiteralQuery.And and) {
            return new All(and.all().stream().map(LiteralCheck::compile).toArray(Test[]::new));
        }
        return new Any(((LiteralQuery.Or) query).any().stream().map(LiteralCheck::compile).toArray(Test[]::new));
    }

    /** Shorter than this, a part every literal shares rules out too little to stand in for them. */
    private static final int MIN_SHARED = 3;

    /**
     * One {@code contains} per literal, or one in all when the literals share a prefix or suffix of at least
     * {@link #MIN_SHARED} characters: a character class expands into one literal per character ({@code ^forbidden-7-[a-z]+$}
     * gives 26, tested on every call). A text holding any of them holds what they share, so the shared part is a weaker
     * test, never a wrong one: it only lets through texts the pattern then reads itself.
     */
    private static Test anyOf(java.util.Collection<String> strings) {
        String[] literals = strings.toArray(String[]::new);
        if (literals.length > 1) {
            String prefix = literals[0];
            String suffix = literals[0];
            for (String literal : literals) {
                prefix = prefix.substring(0, sharedPrefix(prefix, literal));
                suffix = suffix.substring(suffix.length() - sharedSuffix(suffix, literal));
            }
            String shared = prefix.length() >= suffix.length() ? prefix : suffix;
            if (shared.length() >= MIN_SHARED) {
                return new AnyOf(new String[] {shared});
            }
        }
        return new AnyOf(literals);
    }

    private static int sharedPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }

    private static int sharedSuffix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(a.length() - 1 - n) == b.charAt(b.length() - 1 - n)) {
            n++;
        }
        return n;
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
        LastFolded last = LAST_FOLDED.get();
        if (last.source != text) {
            fold(text, last);
        }
        return test.holds(last.folded, last.nonAscii);
    }

    /**
     * Drops this thread's folded text. Called when a policy evaluation ends, so an argument (up to the scan limit)
     * is not kept reachable from an event loop thread after its call, where a heap dump would show it.
     */
    public static void forgetLastFolded() {
        LastFolded last = LAST_FOLDED.get();
        last.source = null;
        last.folded = null;
    }

    /** The text this thread still holds folded, if any (public for the policy's tests: evaluations leave none behind). */
    public static String lastFoldedSource() {
        return LAST_FOLDED.get().source;
    }

    private static void fold(String text, LastFolded into) {
        boolean nonAscii = false;
        int firstChanged = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            nonAscii |= c > 0x7f;
            if (firstChanged < 0 && CaseFold.fold(c) != c) {
                firstChanged = i;
            }
        }
        String folded = text;
        if (firstChanged >= 0) {
            // Only texts with something to fold are copied; most arguments are already lower case.
            StringBuilder out = new StringBuilder(text.length()).append(text, 0, firstChanged);
            for (int i = firstChanged; i < text.length(); i++) {
                out.append(CaseFold.fold(text.charAt(i)));
            }
            folded = out.toString();
        }
        into.source = text;
        into.folded = folded;
        into.nonAscii = nonAscii;
    }
}
