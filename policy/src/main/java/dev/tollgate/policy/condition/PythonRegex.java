package dev.tollgate.policy.condition;

/**
 * An AGT {@code matches} pattern: Python {@code re.search} syntax, run in bounded time by one of two engines.
 * <ul>
 *   <li>RE2/J ({@link LinearRegex}) when it can: linear time, no step to count.</li>
 *   <li>java.util.regex with a step budget ({@link BacktrackingRegex}) for what RE2 cannot run (lookahead,
 *       lookbehind, backreferences, which AGT's own examples use) or cannot run over 256 characters within its
 *       scan budget (counted repetitions such as {@code [^\n]{0,200}}). Java's engine backtracks, so it is
 *       bounded by counting the characters it reads; a search past the budget denies (fail closed).</li>
 *   <li>Both ({@link TwoEngineRegex}), for a pattern RE2 runs but not on every text as Python means it: with
 *       {@code \b}/{@code \B}, RE2 on texts where ASCII and Unicode word boundaries agree, Java otherwise; and
 *       a pattern big enough that RE2 may scan fewer than {@link LinearRegex#MAX_REGEX_INPUT_CHARS} characters,
 *       RE2 up to its limit and Java beyond.</li>
 * </ul>
 * Python's {@code \d \w \s} are Unicode-aware on text and RE2's are ASCII, with no flag to change that, so the
 * escapes are rewritten into Unicode classes for both engines ({@code \d} is {@code \p{Nd}}, as Python's
 * {@code str.isdecimal}); on the Java path {@code \b} becomes the lookaround Python means and {@code \W}/{@code \S}
 * work inside brackets too. A pattern neither engine accepts is refused at load.
 *
 * <p>Good: {@code (?i)\bdrop\s+table\b}, {@code https?://(?!api\.github\.com)}. Refused: Python-only syntax
 * Java lacks ({@code (?#...)}), and what Python itself refuses.
 */
public final class PythonRegex {

    private static final String DIGIT = "\\p{Nd}";
    // Python's \w: str.isalnum() (letters and numbers of every script) and underscore.
    private static final String WORD = "\\p{L}\\p{N}_";
    // Python's \s: str.isspace(): \t-\r, \x1c-\x1f, NEL and the Unicode separators, listed: RE2/J's \p{Z} still has
    // U+180E (Unicode before 6.3), which Python and the JDK no longer count as a space.
    private static final String SPACE = "\\x{9}-\\x{d}\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
            + "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}";
    // Python's \b and \B over its \w, as lookaround (java.util.regex's own \b varies by JDK version and flags).
    private static final String BOUNDARY = "(?:(?<=[" + WORD + "])(?![" + WORD + "])|(?<![" + WORD + "])(?=[" + WORD + "]))";
    private static final String NOT_BOUNDARY = "(?:(?<=[" + WORD + "])(?=[" + WORD + "])|(?<![" + WORD + "])(?![" + WORD + "]))";

    /** Which engine's spelling {@link #translate} writes. */
    enum Dialect { RE2, JAVA }

    private PythonRegex() {
    }

    /** Compiles a Python pattern; IllegalArgumentException says what is wrong, naming the pattern as written. */
    public static PolicyRegex compile(String python) {
        refuseWhatPythonRefuses(python);
        String core = PythonRegexParser.searchCore(python);
        LinearRegex linear;
        try {
            linear = LinearRegex.compileWithoutLiteralCheck(translate(core, Dialect.RE2));
        } catch (IllegalArgumentException notLinear) {
            // Lookaround, backreference, or too large to scan 256 characters on RE2: the step-budgeted engine runs it.
            return BacktrackingRegex.compile(translate(core, Dialect.JAVA), core);
        }
        boolean boundary = hasWordBoundary(core);
        if (!boundary && linear.maxInputChars() >= LinearRegex.MAX_REGEX_INPUT_CHARS) {
            return linear;
        }
        BacktrackingRegex twin;
        try {
            twin = BacktrackingRegex.compile(translate(core, Dialect.JAVA), core);
        } catch (IllegalArgumentException unbounded) {
            if (linear.maxInputChars() < LinearRegex.MAX_REGEX_INPUT_CHARS) {
                throw unbounded;
            }
            // RE2 alone runs it on every text it may: only \b stays ASCII for this pattern.
            return linear;
        }
        return new TwoEngineRegex(linear, twin, boundary);
    }

    /** The RE2 spelling of a Python pattern (escapes rewritten, everything else as written). */
    public static String toRe2(String python) {
        return translate(python, Dialect.RE2);
    }

    /** Whether the pattern has {@code \b} or {@code \B} outside brackets (inside, {@code [\b]} is a backspace). */
    static boolean hasWordBoundary(String python) {
        boolean inClass = false;
        for (int i = 0, n = python.length(); i < n; i++) {
            char c = python.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char e = python.charAt(++i);
                if (!inClass && (e == 'b' || e == 'B')) {
                    return true;
                }
            } else if (c == '[' && !inClass) {
                inClass = true;
                i = skipLeadingClassChars(python, i);
            } else if (c == ']' && inClass) {
                inClass = false;
            }
        }
        return false;
    }

    /** Index of the last character that belongs to a class opening: '[' plus an optional '^' and a leading literal ']'. */
    private static int skipLeadingClassChars(String python, int open) {
        int i = open;
        if (i + 1 < python.length() && python.charAt(i + 1) == '^') {
            i++;
        }
        if (i + 1 < python.length() && python.charAt(i + 1) == ']') {
            i++;
        }
        return i;
    }

    /** The spelling of a Python pattern for an engine: escapes rewritten, Python-only syntax translated. */
    static String translate(String python, Dialect dialect) {
        boolean java = dialect == Dialect.JAVA;
        StringBuilder out = new StringBuilder(python.length() + 16);
        boolean inClass = false;
        int n = python.length();
        // RE2's (?i) folds i only with I; Python's also finds U+0130 (its lower case is i) and U+0131 (sre's casefix for
        // i). Java's UNICODE_CASE does too. So on RE2, under (?i), i and I and the classes holding them are widened.
        boolean ignoreCase = !java && hasGlobalIgnoreCase(python);
        java.util.ArrayDeque<Boolean> scopes = new java.util.ArrayDeque<>();
        StringBuilder classText = new StringBuilder();
        for (int i = 0; i < n; i++) {
            char c = python.charAt(i);
            if (!java && !inClass && c == '(') {
                int end = groupOpening(python, i);
                String opening = python.substring(i, end + 1);
                scopes.push(ignoreCase);
                if (opening.matches("\\(\\?[aiLmsux]*\\)")) {
                    scopes.pop(); // a global flag group: no scope of its own, closed by its own ')'
                    out.append(opening);
                    i = end;
                    continue;
                }
                java.util.regex.Matcher scoped = SCOPED_FLAGS.matcher(opening);
                if (scoped.matches()) {
                    String on = scoped.group(1);
                    String off = scoped.group(2) == null ? "" : scoped.group(2);
                    ignoreCase = (ignoreCase || on.indexOf('i') >= 0) && off.indexOf('i') < 0;
                }
                out.append(opening);
                i = end;
                continue;
            }
            if (!java && !inClass && c == ')') {
                if (!scopes.isEmpty()) {
                    ignoreCase = scopes.pop();
                }
                out.append(c);
                continue;
            }
            if (!java && !inClass && ignoreCase && (c == 'i' || c == 'I' || c == '\u0130' || c == '\u0131')) {
                out.append(DOTTED_I);
                continue;
            }
            if (c == '\\' && i + 1 < n) {
                char e = python.charAt(++i);
                switch (e) {
                    case 'd' -> out.append(DIGIT);
                    case 'D' -> out.append("\\P{Nd}");
                    case 'w' -> out.append(inClass ? WORD : "[" + WORD + "]");
                    // RE2 has no nested classes, so inside brackets \W and \S stay ASCII there; Java unions them.
                    case 'W' -> out.append(inClass ? (java ? "[^" + WORD + "]" : "\\W") : "[^" + WORD + "]");
                    case 's' -> out.append(inClass ? SPACE : "[" + SPACE + "]");
                    case 'S' -> out.append(inClass ? (java ? "[^" + SPACE + "]" : "\\S") : "[^" + SPACE + "]");
                    case 'b' -> out.append(inClass ? "\\x{8}" : java ? BOUNDARY : "\\b");
                    case 'B' -> out.append(java && !inClass ? NOT_BOUNDARY : "\\B");
                    case 'Z' -> out.append("\\z");
                    case 'v' -> out.append("\\x{b}");
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
                    if (!java && ignoreCase && holdsI(classText)) {
                        out.append("\\x{130}\\x{131}");
                    }
                    out.append(c);
                } else if (java && (c == '[' || c == '&')) {
                    // In Python these are plain characters inside brackets; in Java they open a nested class or
                    // an intersection (&&).
                    out.append('\\').append(c);
                } else {
                    classText.append(c);
                    out.append(c);
                }
                continue;
            }
            if (java && c == '(' && python.startsWith("(?P<", i)) {
                out.append("(?<");
                i += 3;
                continue;
            }
            if (java && c == '(' && python.startsWith("(?P=", i)) {
                int close = python.indexOf(')', i);
                if (close > 0) {
                    out.append("\\k<").append(python, i + 4, close).append('>');
                    i = close;
                    continue;
                }
            }
            if (c == '{') {
                i = braces(python, i, out);
                continue;
            }
            out.append(c);
            if (c == '[') {
                inClass = true;
                classText.setLength(0);
                // In Python (and RE2) a ']' right after '[' or '[^' is a literal, not the end of the class.
                if (i + 1 < n && python.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < n && python.charAt(i + 1) == ']') {
                    out.append(java ? "\\]" : "]");
                    i++;
                }
            }
        }
        return out.toString();
    }

    /** The ASCII letters Python's {@code re} reads after a backslash ({@code sre_parse}: any other letter is "bad escape"). */
    private static final String PYTHON_ESCAPE_LETTERS = "abBdDfnrsStuUvwWxAZN";

    /**
     * What Python 3.11's {@code re} refuses to compile and Java or RE2 would read with a meaning of its own: AGT denies
     * every call such a rule is reached on (re.error), so loading it would allow calls AGT denies. Refused: an escape of
     * a letter Python does not know ({@code \z}, {@code \Q}, {@code \h}, {@code \p}...), global flags after the
     * start, and {@code (?-i)} (turning a flag off needs a scope: {@code (?-i:...)}).
     */
    private static void refuseWhatPythonRefuses(String python) {
        boolean inClass = false;
        boolean atStart = true;
        for (int i = 0, n = python.length(); i < n; i++) {
            char c = python.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char e = python.charAt(++i);
                if (e < 0x80 && Character.isLetter(e) && PYTHON_ESCAPE_LETTERS.indexOf(e) < 0) {
                    throw new IllegalArgumentException("bad escape \\" + e + " (Python's re refuses it; AGT would deny every call)");
                }
                atStart = false;
                continue;
            }
            if (inClass) {
                inClass = c != ']';
                continue;
            }
            if (c == '[') {
                inClass = true;
                i = skipLeadingClassChars(python, i);
                atStart = false;
                continue;
            }
            if (c == '(' && python.startsWith("(?", i)) {
                int close = python.indexOf(')', i);
                String group = close > 0 ? python.substring(i, close + 1) : "";
                if (group.matches("\\(\\?[aiLmsux]+\\)")) {
                    if (!atStart) {
                        throw new IllegalArgumentException("global flags not at the start of the expression (Python's re refuses it)");
                    }
                    i = close;
                    continue;
                }
                if (group.matches("\\(\\?[aiLmsux]*-[imsx]+\\)")) {
                    throw new IllegalArgumentException("flags turned off need a scope, (?-i:...) (Python's re refuses " + group + ")");
                }
                if ((python.startsWith("(?<=", i) || python.startsWith("(?<!", i))
                        && LookbehindWidth.of(python, i + 4) == LookbehindWidth.VARIABLE) {
                    throw new IllegalArgumentException("look-behind requires fixed-width pattern (Python's re refuses it)");
                }
                if (python.startsWith("(?#", i) && close > 0) {
                    i = close; // a comment: nothing in it is read
                } else {
                    i++; // the '?' opens the group's kind: it repeats nothing
                }
                atStart = false;
                continue;
            }
            int repeated = repetitionEnd(python, i);
            if (repeated > i) {
                // A lazy or possessive mark may follow a repetition; another repetition may not (sre: "multiple repeat").
                // Java reads x{2}{3} as (x{2}){3}; RE2 and Java refuse the other doubled forms themselves.
                int next = repeated < n && (python.charAt(repeated) == '?' || python.charAt(repeated) == '+') ? repeated + 1 : repeated;
                if (repetitionEnd(python, next) > next) {
                    throw new IllegalArgumentException("multiple repeat at position " + next + " (Python's re refuses it)");
                }
                i = next - 1;
            }
            atStart = false;
        }
    }

    /** Where the repetition starting at {@code at} ends ({@code *}, {@code +}, {@code ?} or braces Python reads as one), else {@code at}. */
    private static int repetitionEnd(String python, int at) {
        if (at >= python.length()) {
            return at;
        }
        char c = python.charAt(at);
        if (c == '*' || c == '+' || c == '?') {
            return at + 1;
        }
        if (c != '{') {
            return at;
        }
        int end = braces(python, at, new StringBuilder());
        return end == at ? at : end + 1;
    }

    private static final String DOTTED_I = "[iI\\x{130}\\x{131}]";
    private static final java.util.regex.Pattern SCOPED_FLAGS = java.util.regex.Pattern.compile("\\(\\?([aiLmsux]*)(?:-([imsx]+))?:");

    /** Whether a flag group {@code (?...i...)} (which Python applies to the whole pattern) is outside brackets. */
    private static boolean hasGlobalIgnoreCase(String python) {
        boolean inClass = false;
        for (int i = 0, n = python.length(); i < n; i++) {
            char c = python.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
                i = skipLeadingClassChars(python, i);
            } else if (c == '(' && python.startsWith("(?", i)) {
                int close = python.indexOf(')', i);
                if (close > 0 && python.substring(i, close + 1).matches("\\(\\?[aiLmsux]*i[aiLmsux]*\\)")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The index of the last character of the group opening at {@code open}: {@code (}, {@code (?:}, {@code (?=},
     * {@code (?!}, {@code (?<=}, {@code (?<!}, {@code (?P<name>}, {@code (?flags:}, {@code (?flags)}; so that names
     * and flags are copied as they are.
     */
    private static int groupOpening(String python, int open) {
        if (!python.startsWith("(?", open)) {
            return open;
        }
        if (python.startsWith("(?P<", open)) {
            int close = python.indexOf('>', open);
            return close > 0 ? close : open + 1;
        }
        if (python.startsWith("(?P=", open) || python.startsWith("(?#", open)) {
            int close = python.indexOf(')', open);
            // The closing ')' is part of it: the scope pushed for it is popped when that ')' is read, so stop before.
            return close > 0 ? close - 1 : open + 1;
        }
        if (python.startsWith("(?<=", open) || python.startsWith("(?<!", open)) {
            return open + 3;
        }
        int i = open + 2;
        while (i < python.length() && "aiLmsux-".indexOf(python.charAt(i)) >= 0) {
            i++;
        }
        if (i < python.length() && (python.charAt(i) == ':' || python.charAt(i) == ')')) {
            return python.charAt(i) == ')' && i > open + 2 ? i : i == open + 2 ? open + 1 : i;
        }
        return open + 2 <= python.length() - 1 && "=!:".indexOf(python.charAt(open + 2)) >= 0 ? open + 2 : open + 1;
    }

    /** Whether the literal text of a class holds i or I, as itself or in a range. */
    private static boolean holdsI(CharSequence cls) {
        for (int k = 0; k < cls.length(); k++) {
            char a = cls.charAt(k);
            if (k + 2 < cls.length() && cls.charAt(k + 1) == '-') {
                char b = cls.charAt(k + 2);
                if ((a <= 'i' && 'i' <= b) || (a <= 'I' && 'I' <= b)) {
                    return true;
                }
                k += 2;
            } else if (a == 'i' || a == 'I' || a == '\u0130' || a == '\u0131') {
                return true;
            }
        }
        return false;
    }

    /**
     * A '{' at {@code open}: Python reads {@code {m}}, {@code {m,}}, {@code {m,n}} and also {@code {,n}} and
     * {@code {,}} (from 0) as a repetition, and any other '{' as a literal, where Java fails to compile. Appends
     * the engine's spelling and returns the index of the last character consumed.
     */
    private static int braces(String python, int open, StringBuilder out) {
        int i = open + 1;
        int n = python.length();
        int loStart = i;
        while (i < n && Character.isDigit(python.charAt(i)) && python.charAt(i) < 0x80) {
            i++;
        }
        String lo = python.substring(loStart, i);
        boolean comma = i < n && python.charAt(i) == ',';
        String hi = "";
        if (comma) {
            int hiStart = ++i;
            while (i < n && Character.isDigit(python.charAt(i)) && python.charAt(i) < 0x80) {
                i++;
            }
            hi = python.substring(hiStart, i);
        }
        if (i < n && python.charAt(i) == '}' && (!lo.isEmpty() || comma)) {
            out.append('{').append(lo.isEmpty() ? "0" : lo);
            if (comma) {
                out.append(',').append(hi);
            }
            out.append('}');
            return i;
        }
        out.append("\\{");
        return open;
    }

    /** Python's {@code str.isnumeric()} categories: decimal digits, letter numbers (Roman), other numbers (²). */
    static boolean isNumber(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
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
