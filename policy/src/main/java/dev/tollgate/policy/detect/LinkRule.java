package dev.tollgate.policy.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;

/**
 * Finds links to hosts outside an allow list, where the programs that follow links find them: a scheme's link in text
 * (no letter glued before it: after {@code _}, markdown's emphasis, or a digit, GitHub still links it), a link without
 * a scheme where markdown or HTML puts one ({@code ![a](//evil.net/p)}, {@code src="//evil.net/p"}), GitHub's
 * {@code www.} autolinks, and each of these again with HTML character references decoded ({@code https&colon;//}), as
 * HTML attributes and CommonMark destinations are. Each link's hosts are read by {@link LinkHosts}; where the link sits
 * in a quoted attribute, between angle brackets or in a markdown destination, it is read on to that context's end too
 * ({@code ![a](https://docs.example.com'@evil.net/p)}), and in plain text on to the next space when its authority goes
 * on to an {@code @} there.
 */
final class LinkRule implements PatternDetector.Rule {

    // A host's first character, and any later character of a link, as the pattern reads them.
    private static final String FIRST = "[^\\s<>\"'`)\\]/\\\\]";
    private static final String NEXT = "[^\\s<>\"'`)\\]]";
    // A tab or line break inside a link is removed by WHATWG readers (an HTML attribute over two lines): the link reads
    // on past one when the next line goes on with . @ % : \ or - and then more of a host (not "- step" or "---").
    private static final String ACROSS_LINES = "(?:[\\t\\r\\n]+[.@%:\\\\-]+[^\\s<>\"'`)\\].@%:\\\\-]" + NEXT + "*)*";
    private static final Pattern LINK = Pattern.compile("(?im)"
            + "(?:^|[^a-z])((?:https?|ftp|wss?):[/\\\\]*" + FIRST + NEXT + "*" + ACROSS_LINES + ")"
            + "|(?:\\]\\(\\s*<?|^ {0,3}\\[[^\\]\\n]+\\]:[ \\t]*<?"
            + "|\\b(?:src|href|srcset|poster|action|formaction|data|background|cite|ping|lowsrc|dynsrc|xlink:href)\\s*=\\s*[\"']?)"
            + "([/\\\\][/\\\\]" + FIRST + NEXT + "*" + ACROSS_LINES + ")"
            + "|(?:^|[\\s*_~(])(www\\." + FIRST + NEXT + "*)");
    // How far a link may reach from what triggers a read of the text around it (its scheme's colon, a double slash).
    private static final int REACH = PatternDetector.Literals.REACH;
    // How far past a link its context is read for where it ends.
    private static final int CONTEXT_REACH = 2048;

    private final List<String> allowed;
    private final List<String> allowedFolded;

    /** @param allowed lower-case host names or {@code *.} patterns; {@code allowedFolded} the same read as TextView folds them */
    LinkRule(List<String> allowed, List<String> allowedFolded) {
        this.allowed = List.copyOf(allowed);
        this.allowedFolded = List.copyOf(allowedFolded);
    }

    @Override
    public void scan(TextView text, String detector, Detector.SpanSink out) {
        String s = text.normalized();
        String lower = text.lower();
        scan(text, s, null, triggers(lower.length() == s.length() ? lower : lowerCharByChar(s)), out);
        CharacterReferences.Decoded decoded = CharacterReferences.decode(s);
        if (decoded != null) {
            scan(text, decoded.text(), decoded, decoded.references(), out);
        }
    }

    /**
     * Where a link may be, in increasing order: each colon after a scheme's name, each pair of slashes or backslashes,
     * each {@code www.}. Most text has none of these, and is not read by the pattern at all.
     */
    private static int[] triggers(String lower) {
        int[] at = new int[8];
        int n = 0;
        for (int i = lower.indexOf(':'); i >= 0; i = lower.indexOf(':', i + 1)) {
            if (lower.startsWith("http", i - 4) || lower.startsWith("https", i - 5) || lower.startsWith("ftp", i - 3)
                    || lower.startsWith("ws", i - 2) || lower.startsWith("wss", i - 3)) {
                at = add(at, n++, i);
            }
        }
        for (int i = nextSlashPair(lower, 0); i >= 0; i = nextSlashPair(lower, i + 2)) {
            at = add(at, n++, i);
        }
        for (int i = lower.indexOf("www."); i >= 0; i = lower.indexOf("www.", i + 4)) {
            at = add(at, n++, i);
        }
        int[] sorted = java.util.Arrays.copyOf(at, n);
        java.util.Arrays.sort(sorted);
        return sorted;
    }

    /** Lower case with one character for each (the view's lower case can be longer: İ is two). */
    private static String lowerCharByChar(String s) {
        char[] lower = new char[s.length()];
        for (int i = 0; i < lower.length; i++) {
            lower[i] = Character.toLowerCase(s.charAt(i));
        }
        return new String(lower);
    }

    private static int nextSlashPair(String s, int from) {
        int slash = s.indexOf("//", from);
        int backslash = s.indexOf('\\', from);
        while (backslash >= 0 && (slash < 0 || backslash < slash)) {
            if (backslash > 0 && s.charAt(backslash - 1) == '/' || backslash + 1 < s.length() && (s.charAt(backslash + 1) == '/'
                    || s.charAt(backslash + 1) == '\\')) {
                return backslash;
            }
            backslash = s.indexOf('\\', backslash + 1);
        }
        return slash;
    }

    private static int[] add(int[] at, int n, int value) {
        int[] grown = n < at.length ? at : java.util.Arrays.copyOf(at, at.length * 2);
        grown[n] = value;
        return grown;
    }

    /**
     * Reads the links of {@code t} (the view's normalized text, or, {@code decoded} not null, that text with its
     * character references decoded) within {@link #REACH} of each trigger position, the regions merged where they meet.
     */
    private void scan(TextView text, String t, CharacterReferences.Decoded decoded, int[] triggers, Detector.SpanSink out) {
        int w = 0;
        while (w < triggers.length) {
            int from = Math.max(0, triggers[w] - REACH);
            int to = Math.min(t.length(), triggers[w] + REACH);
            while (++w < triggers.length && triggers[w] - REACH <= to) {
                to = Math.min(t.length(), triggers[w] + REACH);
            }
            text.budget().charge(to - from);
            scanWindow(text, t, from, to, decoded, out);
        }
    }

    private void scanWindow(TextView text, String t, int from, int to, CharacterReferences.Decoded decoded, Detector.SpanSink out) {
        Matcher m = LINK.matcher(from == 0 && to == t.length() ? t : t.substring(from, to));
        while (m.find()) {
            int group = m.group(1) != null ? 1 : m.group(2) != null ? 2 : 3;
            int start = from + m.start(group);
            int end = from + m.end(group);
            if (end == to && to < t.length()) {
                // Cut by the window, not by the text: the rest of the token is part of the link.
                while (end < t.length() && !Character.isWhitespace(t.charAt(end))) {
                    end++;
                }
            }
            check(text, t, start, end, decoded, out);
        }
    }

    /** Reports the link found at {@code [start, end)} of {@code t} when a reading of it leads to a host not allowed. */
    private void check(TextView text, String t, int start, int end, CharacterReferences.Decoded decoded, Detector.SpanSink out) {
        int contextEnd = contextEnd(t, start, end);
        if (decoded != null && !decoded.decodedWithin(start, contextEnd)) {
            return; // read as written by the first pass
        }
        int reportEnd = end;
        boolean outside = !allAllowed(t.substring(start, end), allowedFolded)
                || !allAllowed(asWritten(text, decoded, start, end), allowed);
        if (!outside && contextEnd > end) {
            String inContext = t.substring(start, contextEnd);
            outside = readOnInContext(start > 0 ? t.charAt(start - 1) : ' ', inContext, end - start)
                    && !allAllowed(inContext, allowedFolded);
            reportEnd = contextEnd;
        }
        if (outside) {
            text.report(decoded == null ? start : decoded.from()[start], decoded == null ? reportEnd : decoded.to()[reportEnd - 1],
                    "url", out);
        }
    }

    /** The link as written (before NFKC and folding, and undecoded references decoded on their own). */
    private static String asWritten(TextView text, CharacterReferences.Decoded decoded, int start, int end) {
        int from = decoded == null ? start : decoded.from()[start];
        int to = decoded == null ? end : decoded.to()[end - 1];
        String written = text.original().substring(text.originalStart(from), text.originalEnd(to));
        if (decoded == null) {
            return written;
        }
        CharacterReferences.Decoded own = CharacterReferences.decode(written);
        return own == null ? written : own.text();
    }

    /**
     * Whether the link read on to its context's end counts: in a quoted attribute, angle brackets or a markdown
     * destination the context is the link's whole extent; in plain text only an {@code @} past the cut makes the rest
     * part of it (a word glued after a link, "https://docs.example.com's", is no host).
     */
    private static boolean readOnInContext(char before, String inContext, int cut) {
        boolean delimited = before == '"' || before == '\'' || before == '<' || before == '(';
        return delimited || inContext.indexOf('@', cut) >= 0;
    }

    /**
     * Where the link starting at {@code start} (cut by the pattern at {@code end}) ends for a reader of its context: the
     * closing quote of an attribute, the {@code >} of angle brackets, the unbalanced {@code )} or the space ending a
     * markdown destination (backslash escapes skipped), else the next space or {@code <}.
     */
    private static int contextEnd(String t, int start, int end) {
        char before = start > 0 ? t.charAt(start - 1) : ' ';
        int limit = Math.min(t.length(), end + CONTEXT_REACH);
        if (before == '"' || before == '\'' || before == '<') {
            char close = before == '<' ? '>' : before;
            int at = t.indexOf(close, end);
            if (at >= 0 && at <= limit) {
                return at;
            }
        }
        int depth = 0;
        for (int i = before == '(' ? start : end; i < limit; i++) {
            char c = t.charAt(i);
            if (Character.isWhitespace(c) || (before != '(' && c == '<')) {
                return Math.max(i, end);
            }
            if (before == '(') {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')' && depth-- == 0) {
                    return Math.max(i, end);
                }
            }
        }
        return Math.max(limit, end);
    }

    private static boolean allAllowed(String link, List<String> allowed) {
        for (String host : LinkHosts.of(link)) {
            if (!LinkHosts.allowed(host, allowed)) {
                return false;
            }
        }
        return true;
    }
}
