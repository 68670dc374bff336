package dev.tollgate.policy.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where links are in text, found where the programs that follow them find them:
 * <ul>
 *   <li>a scheme's link (http(s), ws(s), ftp) with no letter glued before it (after {@code _}, markdown's emphasis, or a
 *       digit, GitHub still links it) and any run of slashes and backslashes after its colon, as WHATWG reads
 *       {@code https:evil.net} and {@code https:\\evil.net};</li>
 *   <li>a link without a scheme where markdown takes a URL ({@code ![a](//evil.net/p)}, {@code [a]: //evil.net}, also on
 *       the next line or inside a quote or list), or in plain text with a dot in its host ({@code //evil.net/p}, which
 *       linkify-it links);</li>
 *   <li>GitHub's {@code www.} autolinks;</li>
 *   <li>the URLs of HTML attributes and CSS, read as a browser reads them ({@link MarkupUrls}).</li>
 * </ul>
 * Each link is reported with how far a reader of its context reads it: to the end of a markdown destination (balanced
 * parentheses, {@code \} escapes, or up to the {@code >} of a pointy one, spaces and all), else, in plain text, on to the
 * next space, {@code <}, {@code /}, {@code ?} or {@code #} (GitHub's autolinks run on to a space, and URL parsers read
 * the authority on past the characters the pattern stops at: {@code https://docs.example.com'@evil.net}).
 */
final class LinkFinder {

    /**
     * Receives each link as {@code [start, end)} of the text, where a reader of its context reads it to, and the text
     * to read as the link when it is not the span itself (a CSS value with its escapes decoded), else null.
     */
    @FunctionalInterface
    interface Found {
        void link(int start, int end, int readOnTo, String readAs);
    }

    // A host's first character, and any later character of a link.
    private static final String FIRST = "[^\\s<>\"'`)\\]/\\\\]";
    private static final String NEXT = "[^\\s<>\"'`)\\]]";
    // A tab or line break inside a link is removed by WHATWG readers (an HTML attribute over two lines): the link reads
    // on past one when the next line goes on with . @ % : \ or - and then more of a host (not "- step" or "---").
    private static final String ACROSS_LINES = "(?:[\\t\\r\\n]+[.@%:\\\\-]+[^\\s<>\"'`)\\].@%:\\\\-]" + NEXT + "*)*";
    private static final Pattern WITH_SCHEME = Pattern.compile("(?i)(?:https?|ftp|wss?):[/\\\\]*" + FIRST + NEXT + "*" + ACROSS_LINES);
    private static final Pattern SCHEME_RELATIVE = Pattern.compile("[/\\\\]{2,}" + FIRST + NEXT + "*" + ACROSS_LINES);
    private static final Pattern WWW = Pattern.compile("(?i)www\\." + FIRST + NEXT + "*");
    /** Characters no link the patterns match holds: where the text a link is matched in may end. */
    private static final String NEVER_IN_A_LINK = " \f\u000B<>\"'`)]";

    private static final int SCHEME = 0;
    private static final int RELATIVE = 1;
    private static final int RELATIVE_PLAIN = 2;
    private static final int AUTOLINK_WWW = 3;

    private LinkFinder() {
    }

    /**
     * Reports the links of {@code t}, reading it in {@code lower} (its lower case, one character for each); every
     * character read is charged to {@code budget}.
     */
    static void find(String t, String lower, ScanBudget budget, Found out) {
        int lastEnd = 0;
        int lastBreak = Integer.MAX_VALUE;
        CodeSpans spans = new CodeSpans(t);
        for (long candidate : candidates(t, lower, budget)) {
            int start = (int) (candidate >>> 32);
            int kind = (int) candidate;
            if (start < lastEnd && start < lastBreak && continuesUrl(t.charAt(start - 1))) {
                continue; // inside the last link, which every reader reads on through here (…?next=https://…)
            }
            Pattern pattern = kind == SCHEME ? WITH_SCHEME : kind == AUTOLINK_WWW ? WWW : SCHEME_RELATIVE;
            int end = matchFrom(t, start, pattern, budget);
            if (end > start && (kind != RELATIVE_PLAIN || domainAuthority(t, start, end, commentContext(t, start)))) {
                out.link(start, end, readOnTo(t, start, end, spans, budget), null);
                if (end > lastEnd) {
                    lastEnd = end;
                    lastBreak = lineBreakIn(t, start, end);
                }
            }
        }
        MarkupUrls.attributeValues(t, lower, budget, out);
        MarkupUrls.cssValues(t, lower, budget, out);
    }

    /**
     * Whether a linkifier reads a link on through {@code c}: an ASCII letter, digit, or character URLs hold (but the
     * parentheses, commas, colons and full stops linkify-it ends a link at; a full stop is also what NFKC makes of …). A link starting after any other (a brace, a character outside
     * ASCII: {@code https://docs.example.com/{https://evil.net}) is a link of its own to linkify-it, and is read as one.
     */
    private static boolean continuesUrl(char c) {
        return c < 0x80 && (Character.isLetterOrDigit(c) || "-_~/?#@!$&'*+;=%".indexOf(c) >= 0);
    }

    private static int lineBreakIn(String t, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = t.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /**
     * Whether a plain-text {@code //} link's authority is a domain, as linkify-it wants one: labels of letters, digits
     * and hyphens with a dot between ({@code //evil.net/x}; not {@code //api/v1/users.json} or {@code //console.log(x)}).
     */
    private static boolean domainAuthority(String t, int start, int end, boolean comment) {
        int from = start;
        while (from < end && t.charAt(from) == '/') {
            from++;
        }
        int to = from;
        boolean dot = false;
        while (to < end && (Character.isLetterOrDigit(t.charAt(to)) || t.charAt(to) == '-' || t.charAt(to) == '.')) {
            dot |= t.charAt(to) == '.' && to > from && to + 1 < end && Character.isLetterOrDigit(t.charAt(to + 1));
            to++;
        }
        if (!dot) {
            return false;
        }
        // Where // opens a code comment (a line's start, after ; { }), only a URL's shape counts: a path, query, port or
        // nothing after the domain on its line (//evil.net/x), not a statement (//this.cache = null;, //obj.field;).
        int next = to;
        while (comment && next < t.length() && (t.charAt(next) == ' ' || t.charAt(next) == '\t')) {
            next++;
        }
        if (comment) {
            if (next == t.length() || "/?#:\n\r".indexOf(t.charAt(next)) >= 0) {
                return true;
            }
            // Or prose after a domain in lower-case letters (//evil.net is up, //evil.net, then), not a statement
            // (//this.cache = null;, //obj.field;, //self.assertTrue,).
            boolean prose = next > to && (Character.isLetter(t.charAt(next)) || t.charAt(next) == '}')
                    || t.charAt(to) == ',' && to + 1 < t.length() && t.charAt(to + 1) == ' ';
            return prose && writtenAsADomain(t, from, to);
        }
        // In prose, punctuation ending a sentence may follow (//evil.net, then), not a call's parenthesis or an operator.
        return to == end || "/?#:@,;!*_~.&%\\[{|".indexOf(t.charAt(to)) >= 0
                || t.charAt(to) >= 0x80 && !Character.isLetterOrDigit(t.charAt(to));
    }

    /**
     * Whether the domain is written as domains are in prose: a last label of two or more ASCII letters, and one case
     * throughout (evil.net, EVIL.NET, Evil.net), not an identifier's mix ({@code API.get}, {@code assertTrue}).
     */
    private static boolean writtenAsADomain(String t, int from, int to) {
        int dot = t.lastIndexOf('.', to - 1);
        if (dot < from || to - dot - 1 < 2) {
            return false;
        }
        for (int i = dot + 1; i < to; i++) {
            if (!isAsciiLetter(t.charAt(i))) {
                return false;
            }
        }
        int before = t.lastIndexOf('.', dot - 1);
        String domain = t.substring(Math.max(from, before + 1), to); // the last two labels: a subdomain may carry data
        String rest = domain.substring(1);
        return domain.equals(domain.toLowerCase(java.util.Locale.ROOT)) || domain.equals(domain.toUpperCase(java.util.Locale.ROOT))
                || rest.equals(rest.toLowerCase(java.util.Locale.ROOT));
    }

    /** Whether {@code //} at {@code at} is where code comments start: a line's start (after indentation), or after ; { }. */
    private static boolean commentContext(String t, int at) {
        int i = at;
        while (i > 0 && (t.charAt(i - 1) == ' ' || t.charAt(i - 1) == '\t')) {
            i--;
        }
        return i == 0 || "\n\r;{}".indexOf(t.charAt(i - 1)) >= 0;
    }

    /** Where each link may start, packed as start (high) and kind (low), sorted. */
    private static long[] candidates(String t, String lower, ScanBudget budget) {
        long[] found = new long[8];
        int n = 0;
        for (int i = lower.indexOf(':'); i >= 0; i = lower.indexOf(':', i + 1)) {
            int start = schemeStart(lower, i);
            if (start >= 0 && (start == 0 || !isAsciiLetter(lower.charAt(start - 1)))) {
                found = add(found, n++, start, SCHEME);
            }
        }
        SlashPairs pairs = new SlashPairs(lower);
        for (int i = pairs.next(0); i >= 0; ) {
            int run = i;
            while (run > 0 && isSlash(t.charAt(run - 1))) {
                run--;
            }
            int runEnd = i;
            while (runEnd < t.length() && isSlash(t.charAt(runEnd))) {
                runEnd++;
            }
            budget.charge(runEnd - run);
            if (markdownTakesUrlBefore(t, run)) {
                found = add(found, n++, run, RELATIVE);
            } else if (t.startsWith("//", run) && run > 0 && !Character.isLetterOrDigit(t.charAt(run - 1)) && t.charAt(run - 1) != ':'
                    || run == 0 && t.startsWith("//")) {
                found = add(found, n++, run, RELATIVE_PLAIN);  // linkify-it links //host.tld after any punctuation
            }
            i = pairs.next(runEnd);
        }
        for (int i = lower.indexOf("www."); i >= 0; i = lower.indexOf("www.", i + 4)) {
            if (i == 0 || Character.isWhitespace(t.charAt(i - 1)) || "*_~(".indexOf(t.charAt(i - 1)) >= 0) {
                found = add(found, n++, i, AUTOLINK_WWW);
            }
        }
        long[] sorted = Arrays.copyOf(found, n);
        Arrays.sort(sorted);
        return sorted;
    }

    /** The pairs of slashes or backslashes of a text, front to back; each search resumes where the last one stopped. */
    private static final class SlashPairs {
        private final String s;
        private int slash = -2;
        private int backslash = -2;

        SlashPairs(String s) {
            this.s = s;
        }

        /** The first index at or after {@code from} of two slashes or backslashes in a row, or -1. */
        int next(int from) {
            while (true) {
                if (slash != -1 && slash < from) {
                    slash = s.indexOf('/', from);
                }
                if (backslash != -1 && backslash < from) {
                    backslash = s.indexOf('\\', from);
                }
                int at = slash < 0 ? backslash : backslash < 0 ? slash : Math.min(slash, backslash);
                if (at < 0) {
                    return -1;
                }
                if (at + 1 < s.length() && isSlash(s.charAt(at + 1))) {
                    return at;
                }
                from = at + 1;
            }
        }
    }

    /** The scheme ending at the colon {@code colon}: its start, or -1 when none of the web's schemes ends there. */
    private static int schemeStart(String lower, int colon) {
        for (String scheme : new String[] {"https", "http", "wss", "ws", "ftp"}) {
            if (lower.startsWith(scheme, colon - scheme.length())) {
                return colon - scheme.length();
            }
        }
        return -1;
    }

    /**
     * Whether markdown takes a URL right before {@code at}: a link destination ({@code ](}, an optional {@code <} and
     * spaces between), or a link reference definition ({@code [label]:}, the destination on its line or the next).
     */
    private static boolean markdownTakesUrlBefore(String t, int at) {
        int j = at;
        if (j > 0 && t.charAt(j - 1) == '<') {
            j--;
        }
        boolean lineBreak = false;
        while (j > 0 && Character.isWhitespace(t.charAt(j - 1)) && !(lineBreak && t.charAt(j - 1) == '\n')) {
            lineBreak |= t.charAt(j - 1) == '\n';
            j--;
        }
        if (j >= 2 && t.charAt(j - 1) == '(' && t.charAt(j - 2) == ']' && !lineBreak) {
            return true;
        }
        // A label on its line, in a quote or a list item as well ("> [a]: //evil.net"); a label holds at most 999 characters.
        if (j < 2 || t.charAt(j - 1) != ':' || t.charAt(j - 2) != ']') {
            return false;
        }
        for (int k = j - 3; k >= 0 && k >= j - 1003 && t.charAt(k) != '\n'; k--) {
            if (t.charAt(k) == '[') {
                return true;
            }
        }
        return false;
    }

    /**
     * How far a reader of the link's context reads it: a markdown destination's end (pointy: the first unescaped
     * {@code >} on its line; else balanced parentheses up to a space), else the next space, {@code <}, {@code /},
     * {@code ?} or {@code #}.
     */
    private static int readOnTo(String t, int start, int end, CodeSpans spans, ScanBudget budget) {
        int to = readOnTo(t, start, end);
        budget.charge(Math.abs(to - end) + 1);
        int spanEnd = spans.endOf(start, end, budget);
        // Inside inline code, its closing backquotes end the link's context.
        return spanEnd >= 0 ? Math.min(spanEnd, Math.max(to, end)) : Math.max(to, end);
    }

    /** As above; a pointy destination without its {@code >} returns minus where its reading stopped (to charge it). */
    private static int readOnTo(String t, int start, int end) {
        boolean destination = start >= 2 && t.charAt(start - 1) == '(' && t.charAt(start - 2) == ']';
        boolean pointy = start >= 3 && t.charAt(start - 1) == '<' && t.charAt(start - 2) == '(' && t.charAt(start - 3) == ']';
        if (pointy) {
            int i = end;
            for (; i < t.length() && t.charAt(i) != '\n'; i++) {
                if (t.charAt(i) == '\\') {
                    i++;
                } else if (t.charAt(i) == '>') {
                    return i;
                }
            }
            return end - (i - end);
        }
        int depth = 0;
        for (int i = destination ? start : end; i < t.length(); i++) {
            char c = t.charAt(i);
            if (Character.isWhitespace(c) || !destination && "</?#".indexOf(c) >= 0) {
                return Math.max(i, end);
            }
            if (destination) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')' && depth-- == 0) {
                    return Math.max(i, end);
                }
            }
        }
        return t.length();
    }

    /**
     * Code spans along a text, read front to back as links are found (markdown: a run of backquotes, not escaped, opens
     * one that the next run of the same length on its line closes). A lone or unmatched backquote, or one closing an
     * earlier span ({@code `x`https://…}), opens none, and markdown reads on. The state is carried from one link to the
     * next, so a long line is read once.
     */
    private static final class CodeSpans {
        private final String t;
        private int scanned;
        private int open;

        CodeSpans(String t) {
            this.t = t;
        }

        /** Where the span the link at {@code start} is in closes, or -1 when it is in none; the search is charged. */
        int endOf(int start, int end, ScanBudget budget) {
            if (start < scanned) {
                return -1; // links come front to back; an earlier start is not read again
            }
            for (int i = scanned; i < start; i++) {
                char c = t.charAt(i);
                if (c == '\n') {
                    open = 0;
                } else if (c == '\\') {
                    i++;
                } else if (c == '`') {
                    int run = i;
                    while (i + 1 < start && t.charAt(i + 1) == '`') {
                        i++;
                    }
                    int length = i - run + 1;
                    open = open == 0 ? length : open == length ? 0 : open;
                }
            }
            scanned = start;
            if (open == 0) {
                return -1;
            }
            int i = end;
            for (; i < t.length() && t.charAt(i) != '\n'; i++) {
                if (t.charAt(i) == '`') {
                    int run = i;
                    while (i + 1 < t.length() && t.charAt(i + 1) == '`') {
                        i++;
                    }
                    if (i - run + 1 == open) {
                        budget.charge(run - end);
                        return run;
                    }
                }
            }
            budget.charge(i - end);
            return -1;
        }
    }

    /** The end of the link {@code pattern} matches right at {@code start}, or -1. */
    private static int matchFrom(String t, int start, Pattern pattern, ScanBudget budget) {
        int limit = start;
        while (limit < t.length() && NEVER_IN_A_LINK.indexOf(t.charAt(limit)) < 0) {
            char c = t.charAt(limit);
            if (c == '\t' || c == '\r' || c == '\n') {
                // A link goes on past a line break only as ACROSS_LINES allows: otherwise the next line is no part of it.
                int next = limit;
                while (next < t.length() && (t.charAt(next) == '\t' || t.charAt(next) == '\r' || t.charAt(next) == '\n')) {
                    next++;
                }
                if (next == t.length() || ".@%:\\-".indexOf(t.charAt(next)) < 0) {
                    break;
                }
                limit = next;
                continue;
            }
            limit++;
        }
        budget.charge(limit - start);
        Matcher m = pattern.matcher(t.substring(start, limit));
        return m.lookingAt() ? start + m.end() : -1;
    }

    private static boolean isSlash(char c) {
        return c == '/' || c == '\\';
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static long[] add(long[] found, int n, int start, int kind) {
        long[] grown = n < found.length ? found : Arrays.copyOf(found, found.length * 2);
        grown[n] = (long) start << 32 | kind;
        return grown;
    }
}
