package dev.tollgate.policy.condition;

/**
 * Whether a Python lookbehind has the fixed width Python's {@code re} requires ({@code sre_compile}: "look-behind requires
 * fixed-width pattern"). java.util.regex runs bounded variable-width lookbehinds, so {@code (?<=token=|apikey=)} would
 * load and match where AGT's Python raises re.error and denies every call the rule is reached on (review U). Reads the
 * subset a width follows from (literals, escapes, classes, groups, alternation, repetitions); anything else (a group
 * reference, a conditional group) is left to the engines, which read it as Python does or refuse it.
 */
final class LookbehindWidth {

    /** The body's width varies: Python refuses the pattern. */
    static final int VARIABLE = -1;
    /** The body holds something whose width this reader does not work out. */
    static final int UNKNOWN = -2;

    private final String p;
    private int i;

    private LookbehindWidth(String pattern, int bodyStart) {
        this.p = pattern;
        this.i = bodyStart;
    }

    /** The width of the lookbehind whose body starts at {@code bodyStart} (right after {@code (?<=} or {@code (?<!}). */
    static int of(String pattern, int bodyStart) {
        return new LookbehindWidth(pattern, bodyStart).alternation();
    }

    private int alternation() {
        int width = sequence();
        while (i < p.length() && p.charAt(i) == '|') {
            i++;
            int other = sequence();
            width = width == UNKNOWN || other == UNKNOWN ? UNKNOWN : width == other ? width : VARIABLE;
        }
        return width;
    }

    private int sequence() {
        int total = 0;
        while (i < p.length() && p.charAt(i) != '|' && p.charAt(i) != ')') {
            int atom = atom();
            int repeated = repetition(atom);
            total = total == UNKNOWN || repeated == UNKNOWN ? UNKNOWN
                    : total == VARIABLE || repeated == VARIABLE ? VARIABLE : total + repeated;
        }
        return total;
    }

    private int atom() {
        char c = p.charAt(i++);
        switch (c) {
            case '\\':
                return escape();
            case '[':
                skipClass();
                return 1;
            case '(':
                return group();
            case '^':
            case '$':
                return 0;
            default:
                return 1;
        }
    }

    private int escape() {
        if (i >= p.length()) {
            return UNKNOWN;
        }
        char e = p.charAt(i++);
        if (e >= '1' && e <= '9') {
            return UNKNOWN; // a group reference
        }
        if ("bBAZ".indexOf(e) >= 0) {
            return 0;
        }
        int hex = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
        i = Math.min(p.length(), i + hex);
        if (e == 'N' && i < p.length() && p.charAt(i) == '{') {
            int close = p.indexOf('}', i);
            i = close < 0 ? p.length() : close + 1;
        }
        return 1;
    }

    private void skipClass() {
        if (i < p.length() && p.charAt(i) == '^') {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++; // a ']' first is a literal
        }
        while (i < p.length() && p.charAt(i) != ']') {
            i += p.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
    }

    private int group() {
        boolean zeroWidth = false;
        if (p.startsWith("?#", i)) {
            int close = p.indexOf(')', i);
            i = close < 0 ? p.length() : close + 1;
            return 0;
        }
        if (p.startsWith("?P=", i) || p.startsWith("?(", i)) {
            return UNKNOWN;
        }
        if (p.startsWith("?=", i) || p.startsWith("?!", i)) {
            i += 2;
            zeroWidth = true;
        } else if (p.startsWith("?<=", i) || p.startsWith("?<!", i)) {
            i += 3;
            zeroWidth = true;
        } else if (p.startsWith("?P<", i)) {
            int close = p.indexOf('>', i);
            i = close < 0 ? p.length() : close + 1;
        } else if (p.startsWith("?", i)) {
            i++;
            while (i < p.length() && "aiLmsux-".indexOf(p.charAt(i)) >= 0) {
                i++;
            }
            if (i < p.length() && p.charAt(i) == ':') {
                i++;
            }
        }
        int inner = alternation();
        if (i < p.length() && p.charAt(i) == ')') {
            i++;
        }
        return zeroWidth ? (inner == UNKNOWN ? UNKNOWN : 0) : inner;
    }

    /** The width of {@code atom} under the repetition that follows it, if any (and its lazy or possessive mark). */
    private int repetition(int atom) {
        if (i >= p.length()) {
            return atom;
        }
        char c = p.charAt(i);
        int width;
        if (c == '*' || c == '+' || c == '?') {
            i++;
            width = atom == 0 || atom == UNKNOWN ? atom : VARIABLE;
        } else if (c == '{' && braces() != null) {
            int[] bounds = braces();
            i = bounds[2];
            width = atom == UNKNOWN ? UNKNOWN : atom == VARIABLE ? VARIABLE : bounds[0] == bounds[1] ? atom * bounds[0] : atom == 0 ? 0 : VARIABLE;
        } else {
            return atom;
        }
        if (i < p.length() && (p.charAt(i) == '?' || p.charAt(i) == '+')) {
            i++;
        }
        return width;
    }

    /** {@code {m}}, {@code {m,n}}, {@code {m,}}, {@code {,n}} at {@code i}: {lo, hi (MAX_VALUE: none), index after '}'}, or null. */
    private int[] braces() {
        int close = p.indexOf('}', i);
        if (close < 0) {
            return null;
        }
        String inside = p.substring(i + 1, close);
        if (!inside.matches("[0-9]*(,[0-9]*)?") || inside.isEmpty()) {
            return null;
        }
        int comma = inside.indexOf(',');
        try {
            int lo = comma == 0 ? 0 : Integer.parseInt(comma < 0 ? inside : inside.substring(0, comma));
            int hi = comma < 0 ? lo : comma == inside.length() - 1 ? Integer.MAX_VALUE : Integer.parseInt(inside.substring(comma + 1));
            return new int[] {lo, hi, close + 1};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
