package dev.tollgate.policy.detect;

import com.google.re2j.Pattern;
import java.util.Set;

/**
 * The URLs HTML and CSS hold, read as a browser reads them: the value of an attribute that takes a URL ({@code src},
 * {@code href}, each candidate of a {@code srcset}, ...) with any whitespace around its {@code =}, and CSS's
 * {@code url(…)}, {@code image-set(…)} and {@code @import} strings with CSS escapes decoded. Spaces and control
 * characters at a value's ends are stripped and tabs and line breaks inside removed before it is read
 * ({@code src=" //evil.net"}, {@code href="htt&#9;ps://evil.net"} once references are decoded); a value that then
 * names a scheme or starts with two slashes is reported whole, as a link {@link LinkFinder} hands on.
 */
final class MarkupUrls {

    /** An attribute value or CSS url() read as a URL: a scheme, or a run of two slashes or backslashes, first. */
    private static final Pattern URL_VALUE = Pattern.compile("(?i)(?:(?:https?|ftp|wss?):|[/\\\\]{2})");
    /** HTML attributes that take a URL ({@code srcset}s a list of them). */
    private static final Set<String> URL_ATTRIBUTES = Set.of("src", "href", "poster", "action", "formaction", "data", "background",
            "cite", "ping", "lowsrc", "dynsrc", "xlink:href", "manifest", "icon", "longdesc", "usemap", "codebase", "archive");
    private static final Set<String> URL_LIST_ATTRIBUTES = Set.of("srcset", "imagesrcset");

    private MarkupUrls() {
    }

    /**
     * The values of URL attributes ({@code src=…}, each candidate of a {@code srcset}) that a browser reads as a link:
     * each reported whole.
     */
    static void attributeValues(String t, String lower, ScanBudget budget, LinkFinder.Found out) {
        for (int eq = lower.indexOf('='); eq >= 0; eq = lower.indexOf('=', eq + 1)) {
            String name = attributeNameBefore(lower, eq);
            boolean list = URL_LIST_ATTRIBUTES.contains(name);
            if (!list && !URL_ATTRIBUTES.contains(name)) {
                continue;
            }
            int from = eq + 1;
            while (from < t.length() && Character.isWhitespace(t.charAt(from))) {
                from++;
            }
            char quote = from < t.length() && (t.charAt(from) == '"' || t.charAt(from) == '\'') ? t.charAt(from) : 0;
            int start = quote != 0 ? from + 1 : from;
            int end = start;
            while (end < t.length() && (quote != 0 ? t.charAt(end) != quote : !Character.isWhitespace(t.charAt(end)) && t.charAt(end) != '>')) {
                end++;
            }
            budget.charge(end - eq);
            if (list) {
                int candidate = start;
                while (candidate < end) {
                    int comma = candidate;
                    while (comma < end && t.charAt(comma) != ',') {
                        comma++;
                    }
                    reportUrlValue(t, candidate, urlEnd(t, candidate, comma), null, out);
                    candidate = comma + 1;
                }
            } else {
                reportUrlValue(t, start, end, null, out);
            }
        }
    }

    /**
     * CSS's URLs: {@code url(…)}, the strings of {@code image-set(…)} and {@code @import}, with CSS escapes decoded as
     * a browser decodes them ({@code url(\2f\2f evil.net)} is {@code //evil.net}).
     */
    static void cssValues(String t, String lower, ScanBudget budget, LinkFinder.Found out) {
        for (int url = lower.indexOf("url("); url >= 0; url = lower.indexOf("url(", url + 4)) {
            int start = url + 4;
            int end = start;
            while (end < t.length() && t.charAt(end) != ')' && t.charAt(end) != '\n') {
                end++;
            }
            budget.charge(end - start);
            reportCssValue(t, start, end, out);
        }
        for (String opener : new String[] {"image-set(", "@import"}) {
            for (int at = lower.indexOf(opener); at >= 0; at = lower.indexOf(opener, at + opener.length())) {
                int from = at + opener.length();
                int close = from;
                while (close < t.length() && t.charAt(close) != ')' && t.charAt(close) != ';' && t.charAt(close) != '\n') {
                    close++;
                }
                budget.charge(close - from);
                for (int q = from; q < close; q++) {
                    char c = t.charAt(q);
                    if (c == '"' || c == '\'') {
                        int endQuote = t.indexOf(c, q + 1);
                        if (endQuote < 0 || endQuote > close) {
                            break;
                        }
                        reportCssValue(t, q + 1, endQuote, out);
                        q = endQuote;
                    }
                }
            }
        }
    }

    private static void reportCssValue(String t, int start, int end, LinkFinder.Found out) {
        int inner = start;
        while (inner < end && (t.charAt(inner) == '"' || t.charAt(inner) == '\'' || Character.isWhitespace(t.charAt(inner)))) {
            inner++;
        }
        int innerEnd = end;
        while (innerEnd > inner && (t.charAt(innerEnd - 1) == '"' || t.charAt(innerEnd - 1) == '\'' || Character.isWhitespace(t.charAt(innerEnd - 1)))) {
            innerEnd--;
        }
        String value = t.substring(inner, innerEnd);
        reportUrlValue(t, inner, innerEnd, value.indexOf('\\') >= 0 ? cssUnescaped(value) : null, out);
    }

    /** CSS escapes decoded: a backslash and one to six hex digits (and one space after), or a backslash and a character. */
    static String cssUnescaped(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\' || i + 1 == value.length()) {
                out.append(c);
                continue;
            }
            int hex = i + 1;
            while (hex < value.length() && hex - i <= 6 && Character.digit(value.charAt(hex), 16) >= 0) {
                hex++;
            }
            if (hex == i + 1) {
                out.append(value.charAt(++i));
                continue;
            }
            int cp = Integer.parseInt(value.substring(i + 1, hex), 16);
            out.appendCodePoint(cp == 0 || !Character.isValidCodePoint(cp) || cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
            i = hex < value.length() && Character.isWhitespace(value.charAt(hex)) ? hex : hex - 1;
        }
        return out.toString();
    }

    /** A srcset candidate's URL: up to its first space after some text (the descriptor follows). */
    private static int urlEnd(String t, int from, int to) {
        int i = from;
        while (i < to && Character.isWhitespace(t.charAt(i))) {
            i++;
        }
        while (i < to && !Character.isWhitespace(t.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * Reports {@code [start, end)} (read as {@code readAs} when that is not null) when, read as a browser reads a URL
     * there, it names a scheme or starts with two slashes.
     */
    private static void reportUrlValue(String t, int start, int end, String readAs, LinkFinder.Found out) {
        if (end <= start) {
            return;
        }
        String value = LinkHosts.asBrowsersRead(readAs != null ? readAs : t.substring(start, end));
        if (URL_VALUE.matcher(value).lookingAt()) {
            out.link(start, end, end, readAs);
        }
    }

    private static String attributeNameBefore(String lower, int eq) {
        int end = eq;
        while (end > 0 && Character.isWhitespace(lower.charAt(end - 1))) {
            end--;
        }
        int start = end;
        while (start > 0 && (isAsciiLetter(lower.charAt(start - 1)) || lower.charAt(start - 1) == ':' || lower.charAt(start - 1) == '-')) {
            start--;
        }
        return start == end || end - start > 16 ? "" : lower.substring(start, end);
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
