package dev.tollgate.policy.condition;

import dev.tollgate.policy.condition.RegexNode.Alternation;
import dev.tollgate.policy.condition.RegexNode.AnyOf;
import dev.tollgate.policy.condition.RegexNode.Assertion;
import dev.tollgate.policy.condition.RegexNode.Literal;
import dev.tollgate.policy.condition.RegexNode.OneOf;
import dev.tollgate.policy.condition.RegexNode.Opaque;
import dev.tollgate.policy.condition.RegexNode.Repeat;
import dev.tollgate.policy.condition.RegexNode.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a Python pattern (one the engines already accepted) into a {@link RegexNode} tree. Conservative: what it
 * does not model (conditionals, verbose mode, named Unicode escapes) makes the whole result empty, and callers
 * then assume nothing about the pattern.
 */
final class PythonRegexParser {

    private final String p;
    private int i;
    private int depth;
    /** Source spans [start, end) of the top-level items, and of the flag groups among them. */
    private final List<int[]> topItems = new ArrayList<>();
    private final List<int[]> topFlags = new ArrayList<>();
    private boolean topAlternation;

    private PythonRegexParser(String pattern) {
        this.p = pattern;
    }

    /** The tree, or empty when the pattern uses syntax this parser does not model. */
    static Optional<RegexNode> parse(String python) {
        PythonRegexParser parser = new PythonRegexParser(python);
        try {
            RegexNode node = parser.alternation();
            return parser.i == python.length() ? Optional.of(node) : Optional.empty();
        } catch (Unsupported | IndexOutOfBoundsException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The part of the pattern a search needs: whether a text contains a match does not change when leading and
     * trailing items that can always match empty are dropped ({@code (?:ignore\s+)?[^\n]{0,80}(?:print|echo)}
     * is found exactly where {@code (?:print|echo)} is: give the optional items nothing). Dropping them can turn
     * a pattern too large for RE2/J's scan budget into one it runs over any text, and it spares java.util.regex
     * the re-reading of 80 characters at every position. Returns the pattern itself when nothing can be
     * dropped, when the pattern has a backreference (dropping a group would renumber what it refers to), or when
     * the parser does not model it.
     */
    static String searchCore(String python) {
        PythonRegexParser parser = new PythonRegexParser(python);
        RegexNode tree;
        try {
            tree = parser.alternation();
        } catch (Unsupported | IndexOutOfBoundsException | NumberFormatException e) {
            return python;
        }
        if (parser.i != python.length() || parser.topAlternation || !(tree instanceof Sequence sequence) || hasOpaque(tree)) {
            return python;
        }
        List<RegexNode> items = sequence.items();
        int first = 0;
        while (first < items.size() && alwaysEmpty(items.get(first))) {
            first++;
        }
        int last = items.size() - 1;
        while (last >= first && alwaysEmpty(items.get(last))) {
            last--;
        }
        if (first > last || (first == 0 && last == items.size() - 1)) {
            // Everything can match empty (then every text matches; keep it as written), or nothing to drop.
            return python;
        }
        StringBuilder core = new StringBuilder();
        // Flag groups such as (?i) apply to the whole pattern wherever they stand: keep them, first.
        for (int[] flags : parser.topFlags) {
            core.append(python, flags[0], flags[1]);
        }
        return core.append(python, parser.topItems.get(first)[0], parser.topItems.get(last)[1]).toString();
    }

    /** Whether the node can match the empty string at any position, with no assertion to satisfy. */
    static boolean alwaysEmpty(RegexNode node) {
        if (node instanceof Repeat r) {
            return r.min() == 0 || alwaysEmpty(r.item());
        }
        if (node instanceof Sequence s) {
            return s.items().stream().allMatch(PythonRegexParser::alwaysEmpty);
        }
        if (node instanceof Alternation a) {
            return a.branches().stream().anyMatch(PythonRegexParser::alwaysEmpty);
        }
        return false;
    }

    private static boolean hasOpaque(RegexNode node) {
        if (node instanceof Opaque) {
            return true;
        }
        if (node instanceof Repeat r) {
            return hasOpaque(r.item());
        }
        if (node instanceof Sequence s) {
            return s.items().stream().anyMatch(PythonRegexParser::hasOpaque);
        }
        if (node instanceof Alternation a) {
            return a.branches().stream().anyMatch(PythonRegexParser::hasOpaque);
        }
        return false;
    }

    /** Syntax the parser does not model; caught in {@link #parse}. */
    private static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported() {
            super(null, null, false, false);
        }
    }

    private RegexNode alternation() {
        List<RegexNode> branches = new ArrayList<>();
        branches.add(sequence());
        while (i < p.length() && p.charAt(i) == '|') {
            i++;
            topAlternation |= depth == 0;
            branches.add(sequence());
        }
        return branches.size() == 1 ? branches.get(0) : new Alternation(List.copyOf(branches));
    }

    private RegexNode sequence() {
        List<RegexNode> items = new ArrayList<>();
        while (i < p.length() && p.charAt(i) != '|' && p.charAt(i) != ')') {
            int start = i;
            RegexNode atom = atom();
            if (atom != null) {
                items.add(quantified(atom));
                if (depth == 0) {
                    topItems.add(new int[] {start, i});
                }
            } else if (depth == 0) {
                topFlags.add(new int[] {start, i});
            }
        }
        return items.size() == 1 ? items.get(0) : new Sequence(List.copyOf(items));
    }

    private RegexNode quantified(RegexNode atom) {
        RegexNode node = atom;
        while (i < p.length()) {
            char c = p.charAt(i);
            int min;
            int max;
            if (c == '*' || c == '+' || c == '?') {
                min = c == '+' ? 1 : 0;
                max = c == '?' ? 1 : -1;
                i++;
            } else if (c == '{' && braceQuantifier()) {
                int close = p.indexOf('}', i);
                String body = p.substring(i + 1, close);
                int comma = body.indexOf(',');
                if (comma < 0) {
                    min = Integer.parseInt(body);
                    max = min;
                } else {
                    min = comma == 0 ? 0 : Integer.parseInt(body.substring(0, comma));
                    max = comma == body.length() - 1 ? -1 : Integer.parseInt(body.substring(comma + 1));
                }
                i = close + 1;
            } else {
                return node;
            }
            // Lazy (*?) and possessive (*+) forms repeat the same way as far as any analysis here cares.
            if (i < p.length() && (p.charAt(i) == '?' || p.charAt(i) == '+')) {
                i++;
            }
            node = new Repeat(node, min, max);
        }
        return node;
    }

    /** Python's rule (see {@link PythonRegex}): digits and/or a comma between braces make a repetition. */
    private boolean braceQuantifier() {
        int j = i + 1;
        int digits = 0;
        while (j < p.length() && p.charAt(j) >= '0' && p.charAt(j) <= '9') {
            j++;
            digits++;
        }
        boolean comma = j < p.length() && p.charAt(j) == ',';
        if (comma) {
            j++;
            while (j < p.length() && p.charAt(j) >= '0' && p.charAt(j) <= '9') {
                j++;
            }
        }
        return j < p.length() && p.charAt(j) == '}' && (digits > 0 || comma);
    }

    /** One atom; null for something that matches nothing at all (an inline flag group, a comment). */
    private RegexNode atom() {
        char c = p.charAt(i++);
        return switch (c) {
            case '.' -> new AnyOf(false);
            case '^', '$' -> new Assertion(false);
            case '[' -> charClass();
            case '(' -> group();
            case '\\' -> escape();
            default -> {
                if (Character.isSurrogate(c)) {
                    // A character outside the BMP: its two halves repeat and fold together, so not modelled.
                    i++;
                    yield new AnyOf(true);
                }
                yield new Literal(c);
            }
        };
    }

    /** Classes of up to this many characters are kept as {@link OneOf}: their members are literals too. */
    private static final int MAX_ONE_OF_CHARS = 32;

    /**
     * Python's {@code \s} as the engines run it ({@link PythonRegex}): \t-\r, \x1c-\x1f, NEL and the
     * Unicode separators (category Z, from the JDK's tables, the ones java.util.regex uses; RE2/J's agree, see
     * PythonSemanticsTest).
     */
    static final String PYTHON_SPACE = pythonSpace();

    private static String pythonSpace() {
        StringBuilder space = new StringBuilder();
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            if (CaseFold.isPythonSpace((char) c)) {
                space.append((char) c);
            }
        }
        return space.toString();
    }

    private RegexNode charClass() {
        boolean negated = p.charAt(i) == '^';
        if (negated) {
            i++;
        }
        StringBuilder ranges = new StringBuilder();
        boolean modelled = !negated;
        boolean first = true;
        while (first || p.charAt(i) != ']') {
            first = false;
            int c = classChar();
            if (c < 0) {
                modelled = false;
                continue;
            }
            int to = c;
            if (p.charAt(i) == '-' && p.charAt(i + 1) != ']') {
                i++;
                to = classChar();
                if (to < c) {
                    modelled = false;
                    continue;
                }
            }
            ranges.append((char) c).append((char) to);
        }
        i++;
        return modelled ? members(ranges) : new AnyOf(false);
    }

    /** A class of ranges (pairs of first and last character): its members if few, else whether it is all non-ASCII. */
    private static RegexNode members(CharSequence ranges) {
        StringBuilder members = new StringBuilder();
        boolean nonAscii = true;
        for (int r = 0; r < ranges.length(); r += 2) {
            for (int c = ranges.charAt(r); c <= ranges.charAt(r + 1); c++) {
                if (members.length() <= MAX_ONE_OF_CHARS) {
                    members.append((char) c);
                }
                nonAscii &= c >= 0x80 && CaseFold.fold((char) c) >= 0x80;
            }
        }
        return members.length() <= MAX_ONE_OF_CHARS ? new OneOf(members.toString()) : new AnyOf(nonAscii);
    }

    /** One member of a class; -1 for a class escape ({@code \d}), a surrogate, or anything not modelled. */
    private int classChar() {
        char c = p.charAt(i++);
        if (Character.isSurrogate(c)) {
            return -1;
        }
        if (c != '\\') {
            return c;
        }
        char e = p.charAt(i++);
        return switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'f' -> '\f';
            case 'v' -> 0x0b;
            case 'a' -> 0x07;
            case 'b' -> 0x08;
            case 'x' -> classHex(2);
            case 'u' -> classHex(4);
            case 'U' -> classHex(8);
            default -> Character.isLetterOrDigit(e) || Character.isSurrogate(e) ? -1 : e;
        };
    }

    private int classHex(int digits) {
        int code = Integer.parseInt(p.substring(i, i + digits), 16);
        i += digits;
        return code <= 0xFFFF && !Character.isSurrogate((char) code) ? code : -1;
    }

    private RegexNode group() {
        if (p.charAt(i) != '?') {
            return groupBody();
        }
        i++;
        char kind = p.charAt(i);
        if (kind == ':' || kind == '>') {
            i++;
            return groupBody();
        }
        if (kind == '=' || kind == '!') {
            i++;
            groupBody();
            return new Assertion(false);
        }
        if (kind == '<' && (p.charAt(i + 1) == '=' || p.charAt(i + 1) == '!')) {
            i += 2;
            groupBody();
            return new Assertion(false);
        }
        if (kind == 'P' && p.charAt(i + 1) == '<') {
            i = p.indexOf('>', i) + 1;
            return groupBody();
        }
        if (kind == 'P' && p.charAt(i + 1) == '=') {
            i = p.indexOf(')', i) + 1;
            return new Opaque();
        }
        if (kind == '#') {
            i = p.indexOf(')', i) + 1;
            return null;
        }
        // Flags: (?aiLmsu) for the whole pattern, (?i-s:...) for a group. Verbose mode changes what every
        // space and '#' means: not modelled.
        int j = i;
        while (j < p.length() && "aiLmsux-".indexOf(p.charAt(j)) >= 0) {
            j++;
        }
        String flags = p.substring(i, j);
        if (j == i || flags.indexOf('x') >= 0 || j >= p.length()) {
            throw new Unsupported();
        }
        i = j + 1;
        if (p.charAt(j) == ')') {
            return null;
        }
        if (p.charAt(j) == ':') {
            return groupBody();
        }
        throw new Unsupported();
    }

    private RegexNode groupBody() {
        depth++;
        RegexNode inner = alternation();
        depth--;
        if (p.charAt(i) != ')') {
            throw new Unsupported();
        }
        i++;
        return inner;
    }

    private RegexNode escape() {
        char e = p.charAt(i++);
        switch (e) {
            case 's' -> {
                return new OneOf(PYTHON_SPACE);
            }
            case 'd' -> {
                // An ASCII digit (folded to one literal character) or a digit of another script (non-ASCII).
                return new Alternation(List.of(new OneOf("0123456789"), new AnyOf(true)));
            }
            case 'D', 'w', 'W', 'S' -> {
                return new AnyOf(false);
            }
            case 'b', 'B', 'A', 'Z' -> {
                return new Assertion(e == 'b');
            }
            case 'n' -> {
                return new Literal('\n');
            }
            case 't' -> {
                return new Literal('\t');
            }
            case 'r' -> {
                return new Literal('\r');
            }
            case 'f' -> {
                return new Literal('\f');
            }
            case 'v' -> {
                return new Literal('\u000b');
            }
            case 'a' -> {
                return new Literal('\u0007');
            }
            case 'x' -> {
                return hexLiteral(2);
            }
            case 'u' -> {
                return hexLiteral(4);
            }
            case 'U' -> {
                return hexLiteral(8);
            }
            default -> {
                if (e >= '0' && e <= '9') {
                    // A backreference (\1) or an octal escape (\0, \012): not modelled.
                    while (i < p.length() && p.charAt(i) >= '0' && p.charAt(i) <= '9') {
                        i++;
                    }
                    return new Opaque();
                }
                if (Character.isLetter(e) || Character.isSurrogate(e)) {
                    throw new Unsupported();
                }
                return new Literal(e);
            }
        }
    }

    private RegexNode hexLiteral(int digits) {
        int code = Integer.parseInt(p.substring(i, i + digits), 16);
        i += digits;
        return code <= 0xFFFF && !Character.isSurrogate((char) code) ? new Literal((char) code) : new AnyOf(true);
    }
}
