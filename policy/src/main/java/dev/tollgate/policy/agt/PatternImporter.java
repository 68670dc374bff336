package dev.tollgate.policy.agt;

import dev.tollgate.policy.condition.LinearRegex;
import dev.tollgate.policy.condition.PythonRegex;

/**
 * An AGT {@code matches} pattern (Python {@code re} syntax, Unicode classes) as a native one (RE2, ASCII
 * classes). {@code \d}, {@code \w}, {@code \s} and their negations are written as the Unicode classes Python
 * means ({@link PythonRegex#toRe2}); what has no RE2 spelling with Python's meaning is refused.
 */
final class PatternImporter {

    private PatternImporter() {
    }

    /** The native pattern, meaning what the Python one means; {@link Unconvertible} when there is none. */
    static String toNative(String python) {
        refuseDifferences(python);
        String re2 = PythonRegex.toRe2(python);
        try {
            LinearRegex.compile(re2);
        } catch (IllegalArgumentException e) {
            throw new Unconvertible("pattern does not load in Tollgate: " + e.getMessage());
        }
        return re2;
    }

    /** Escapes and syntax whose meaning differs between Python and RE2 and cannot be rewritten. */
    private static void refuseDifferences(String p) {
        boolean inClass = false;
        // Escapes seen in the current [...]: RE2's \S and \W there stay ASCII, unless the class also has \s (\w),
        // which makes it every character in both ([\s\S] is the usual "anything, newlines too").
        StringBuilder classEscapes = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\' && i + 1 < p.length()) {
                char e = p.charAt(++i);
                if (e == 'b' || e == 'B') {
                    throw differs("\\" + e + " is Unicode-aware in AGT, ASCII in RE2");
                }
                if (e == 'Z') {
                    throw differs("\\Z does not match before a final line break in Python");
                }
                if (e == 'N') {
                    throw differs("\\N{...} named characters are Python-only");
                }
                if (inClass) {
                    classEscapes.append(e);
                }
                continue;
            }
            if (inClass) {
                if (c == '[' && i + 1 < p.length() && p.charAt(i + 1) == ':') {
                    throw differs("[:class:] is a POSIX class in RE2, literal characters in Python");
                }
                if (c == ']') {
                    inClass = false;
                    checkClass(classEscapes.toString());
                }
                continue;
            }
            if (c == '[') {
                inClass = true;
                classEscapes.setLength(0);
                // A ']' right after '[' or '[^' is a literal in both.
                if (i + 1 < p.length() && p.charAt(i + 1) == '^') {
                    i++;
                }
                if (i + 1 < p.length() && p.charAt(i + 1) == ']') {
                    i++;
                }
            } else if (c == '{' && i + 1 < p.length() && p.charAt(i + 1) == ',') {
                throw differs("{,n} is a repetition in Python, literal text in RE2");
            }
        }
    }

    private static void checkClass(String escapes) {
        for (char negated : new char[] {'S', 'W'}) {
            if (escapes.indexOf(negated) >= 0 && escapes.indexOf(Character.toLowerCase(negated)) < 0) {
                throw differs("\\" + negated + " inside [...] cannot be written as a Unicode class in RE2");
            }
        }
    }

    private static Unconvertible differs(String detail) {
        return new Unconvertible("Python regex semantics differ (" + detail + ")");
    }
}
