package dev.tollgate.policy.condition;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled name pattern. {@code *} matches any run of characters and {@code ?} one character; in
 * path mode (SPIFFE IDs) {@code *} stays within one path segment and {@code **} crosses segments. Literals
 * and plain prefixes are compared without a regex; other plain globs by {@link #matchSegments} (time
 * linear in the name for a given glob: a glob of many stars on a long tool name backtracked polynomially
 * as a java.util.regex); path globs by RE2/J (linear too).
 */
public final class Glob {

    private final String source;
    private final String literal;
    private final String prefix;
    private final Pattern pattern;
    /** Plain-mode glob split at its stars: first segment anchored at the start, last at the end. */
    private final String[] segments;

    private Glob(String source, boolean pathMode) {
        this.source = source;
        boolean wild = source.indexOf('*') >= 0 || source.indexOf('?') >= 0;
        if (!wild) {
            literal = source;
            prefix = null;
            pattern = null;
            segments = null;
        } else if (!pathMode && source.indexOf('?') < 0 && source.indexOf('*') == source.length() - 1) {
            literal = null;
            prefix = source.substring(0, source.length() - 1);
            pattern = null;
            segments = null;
        } else if (!pathMode) {
            literal = null;
            prefix = null;
            pattern = null;
            segments = splitAtStars(source);
        } else {
            literal = null;
            prefix = null;
            pattern = Pattern.compile(toRegex(source), Pattern.DOTALL);
            segments = null;
        }
    }

    public static Glob of(String pattern) {
        return new Glob(pattern, false);
    }

    /** Path-aware glob for SPIFFE IDs: {@code spiffe://prod/agents/*} does not match {@code .../agents/a/b}. */
    public static Glob path(String pattern) {
        return new Glob(pattern, true);
    }

    public boolean matches(String value) {
        if (value == null) {
            return false;
        }
        if (literal != null) {
            return literal.equals(value);
        }
        if (prefix != null) {
            return value.startsWith(prefix);
        }
        if (segments != null) {
            return matchSegments(segments, value);
        }
        return pattern.matches(value);
    }

    /** {@code a*b**c} → [a, b, "", c]: consecutive stars leave empty segments, which match anywhere. */
    private static String[] splitAtStars(String glob) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < glob.length(); i++) {
            if (glob.charAt(i) == '*') {
                parts.add(glob.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(glob.substring(start));
        return parts.toArray(String[]::new);
    }

    /**
     * Segments separated by stars, {@code ?} matching any one char. The first segment must start the value,
     * the last must end it, and each middle one is taken at its leftmost place after the previous: since a
     * star matches anything, the leftmost place leaves the most room for the rest, so there is never a
     * reason to go back. Each segment search is at most (value length × segment length).
     */
    static boolean matchSegments(String[] segments, String value) {
        int n = segments.length;
        String first = segments[0];
        String last = segments[n - 1];
        if (n == 1) {
            return value.length() == first.length() && regionMatches(value, 0, first);
        }
        if (value.length() < first.length() + last.length()
                || !regionMatches(value, 0, first)
                || !regionMatches(value, value.length() - last.length(), last)) {
            return false;
        }
        int from = first.length();
        int end = value.length() - last.length();
        for (int i = 1; i < n - 1; i++) {
            int at = indexOf(value, segments[i], from, end);
            if (at < 0) {
                return false;
            }
            from = at + segments[i].length();
        }
        return true;
    }

    /** Leftmost place of segment (with ? wildcards) in value[from, end), or -1. */
    private static int indexOf(String value, String segment, int from, int end) {
        int last = end - segment.length();
        if (segment.indexOf('?') < 0) {
            int at = value.indexOf(segment, from);
            return at <= last ? at : -1;
        }
        for (int at = from; at <= last; at++) {
            if (regionMatches(value, at, segment)) {
                return at;
            }
        }
        return -1;
    }

    private static boolean regionMatches(String value, int at, String segment) {
        for (int j = 0; j < segment.length(); j++) {
            char c = segment.charAt(j);
            if (c != '?' && c != value.charAt(at + j)) {
                return false;
            }
        }
        return true;
    }

    /** The exact name when the pattern has no wildcard, else null. */
    public String literal() {
        return literal;
    }

    @Override
    public String toString() {
        return source;
    }

    /** Path mode: {@code *} and {@code ?} stay within a segment, {@code **} crosses segments. */
    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literalRun = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (literalRun.length() > 0) {
                    regex.append(Pattern.quote(literalRun.toString()));
                    literalRun.setLength(0);
                }
                if (c == '?') {
                    regex.append("[^/]");
                } else if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    regex.append(".*");
                    i++;
                } else {
                    regex.append("[^/]*");
                }
            } else {
                literalRun.append(c);
            }
        }
        if (literalRun.length() > 0) {
            regex.append(Pattern.quote(literalRun.toString()));
        }
        return regex.toString();
    }
}
