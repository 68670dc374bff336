package dev.tollgate.policy.condition;

import java.util.regex.Pattern;

/**
 * A compiled name pattern. {@code *} matches any run of characters and {@code ?} one character; in
 * path mode (SPIFFE IDs) {@code *} stays within one path segment and {@code **} crosses segments. Literals
 * and plain prefixes are compared without a regex.
 */
public final class Glob {

    private final String source;
    private final String literal;
    private final String prefix;
    private final Pattern pattern;

    private Glob(String source, boolean pathMode) {
        this.source = source;
        boolean wild = source.indexOf('*') >= 0 || source.indexOf('?') >= 0;
        if (!wild) {
            literal = source;
            prefix = null;
            pattern = null;
        } else if (!pathMode && source.indexOf('?') < 0 && source.indexOf('*') == source.length() - 1) {
            literal = null;
            prefix = source.substring(0, source.length() - 1);
            pattern = null;
        } else {
            literal = null;
            prefix = null;
            pattern = Pattern.compile(toRegex(source, pathMode), Pattern.DOTALL);
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
        return pattern.matcher(value).matches();
    }

    /** The exact name when the pattern has no wildcard, else null. */
    public String literal() {
        return literal;
    }

    @Override
    public String toString() {
        return source;
    }

    private static String toRegex(String glob, boolean pathMode) {
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
                    regex.append(pathMode ? "[^/]" : ".");
                } else if (pathMode && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    regex.append(".*");
                    i++;
                } else {
                    regex.append(pathMode ? "[^/]*" : ".*");
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
