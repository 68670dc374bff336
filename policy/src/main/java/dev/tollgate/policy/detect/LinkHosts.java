package dev.tollgate.policy.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hosts a link found in text leads to, as the programs that follow links read it. They do not agree, and a link is
 * only as safe as its most generous reader, so every reading is returned and each must be allowed:
 * <ul>
 *   <li>WHATWG URL (browsers, Node's {@code URL} and {@code fetch}): for http(s), ws(s) and ftp any run of {@code /} and
 *       {@code \} may follow the scheme's colon ({@code https:evil.net}, {@code https:\\evil.net} are links to
 *       evil.net), the authority ends at a backslash too ({@code https://evil.net\@docs.example.com} goes to evil.net),
 *       and tabs and line breaks inside the link are removed before it is read;</li>
 *   <li>RFC 3986 (Python's urllib and requests, Go, curl): an authority only after exactly {@code //}, ending at
 *       {@code / ? #} alone ({@code https://evil.net\@docs.example.com} goes to docs.example.com);</li>
 *   <li>linkifiers, which end a link at the first punctuation or space outside ASCII (a Japanese comma), where the
 *       other two read on.</li>
 * </ul>
 * Both take the host after the authority's last {@code @}. A port, or a full stop ending the sentence, is no part of
 * the host.
 */
final class LinkHosts {

    private LinkHosts() {
    }

    /** The hosts {@code link} (starting with its scheme) leads to in each reading that reads it as having one. */
    static List<String> of(String link) {
        String url = withoutTabsAndLineBreaks(link);
        int colon = url.indexOf(':');
        List<String> hosts = new ArrayList<>(2);
        int afterSlashes = colon + 1;
        while (afterSlashes < url.length() && (url.charAt(afterSlashes) == '/' || url.charAt(afterSlashes) == '\\')) {
            afterSlashes++;
        }
        hosts.add(hostOf(url, afterSlashes, "/\\?#"));
        if (url.startsWith("//", colon + 1)) {
            hosts.add(hostOf(url, colon + 3, "/?#"));
        }
        int linkEnd = linkifierEnd(url, afterSlashes);
        if (linkEnd < url.length()) {
            hosts.add(hostOf(url.substring(0, linkEnd), afterSlashes, "/\\?#"));
        }
        return hosts;
    }

    /**
     * Where a linkifier (markdown-it's linkify-it, many chat interfaces) ends the link: at the first punctuation, space
     * or control character outside ASCII ({@code https://evil.net、@docs.example.com} links evil.net there).
     */
    private static int linkifierEnd(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c >= 0x80 && endsLinkifiedLink(Character.getType(c))) {
                return i;
            }
        }
        return url.length();
    }

    private static boolean endsLinkifiedLink(int type) {
        return switch (type) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR, Character.CONTROL -> true;
            default -> false;
        };
    }

    /**
     * Whether {@code host} is one of {@code allowed} (exact names, or {@code *.example.com} for its subdomains), or one
     * of them followed by text that cannot name another registrable host: characters none of which is ASCII or a full
     * stop URL parsers read as a dot (a Japanese comma and words glued after a link, {@code docs.example.com、をご覧ください}).
     * Such text only lengthens the top-level label into one no registry hands out; with an ASCII letter or a dot in it
     * ({@code docs.example.com、.evil.net}, read by Node as {@code docs.example.xn--com-6y3b.evil.net}) it is not allowed.
     */
    static boolean allowed(String host, List<String> allowed) {
        if (listed(host, allowed)) {
            return true;
        }
        int firstOther = 0;
        while (firstOther < host.length() && host.charAt(firstOther) < 0x80) {
            firstOther++;
        }
        if (firstOther == 0 || firstOther == host.length()) {
            return false;
        }
        for (int i = firstOther; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < 0x80 || c == '\u3002' || c == '\uFF0E' || c == '\uFF61') {
                return false;
            }
        }
        return listed(host.substring(0, firstOther), allowed);
    }

    private static boolean listed(String host, List<String> allowed) {
        for (String a : allowed) {
            if (a.startsWith("*.") ? host.endsWith(a.substring(1)) : host.equals(a)) {
                return true;
            }
        }
        return false;
    }

    private static String hostOf(String url, int start, String authorityEnds) {
        int end = start;
        while (end < url.length() && authorityEnds.indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(start, end);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = authority.startsWith("[") ? authority.indexOf("]:") + 1 : authority.lastIndexOf(':');
        String host = colon > 0 ? authority.substring(0, colon) : authority;
        // A trailing full stop ends the sentence, not the host: ASCII, fullwidth, ideographic or halfwidth (URL parsers read
        // the last three as dots too).
        return host.toLowerCase(Locale.ROOT).replaceAll("[.\u3002\uFF0E\uFF61]$", "");
    }

    private static String withoutTabsAndLineBreaks(String link) {
        if (link.indexOf('\t') < 0 && link.indexOf('\n') < 0 && link.indexOf('\r') < 0) {
            return link;
        }
        return link.replaceAll("[\t\r\n]", "");
    }
}
