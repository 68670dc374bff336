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
 *   <li>linkifiers (markdown-it's linkify-it, many chat interfaces), which end a link at its first {@code @} or
 *       punctuation or space outside ASCII (a Japanese comma), where the other two read on.</li>
 * </ul>
 * A link without a scheme ({@code //evil.net/p} where markdown or HTML takes a URL, GitHub's {@code www.evil.net}) is
 * read as its page's scheme would read it. WHATWG and RFC readers take the host after the authority's last {@code @}.
 * Punctuation ending the link ({@code https://docs.example.com, then}) ends the sentence, as linkifiers read it; a
 * port is no part of the host.
 */
final class LinkHosts {

    private LinkHosts() {
    }

    /** The hosts {@code link} leads to in each reading that reads it as having one. */
    static List<String> of(String link) {
        String url = asBrowsersRead(link);
        int ending = url.length();
        while (ending > 0 && ".,:;!?*_~".indexOf(url.charAt(ending - 1)) >= 0) {
            ending--;
        }
        url = url.substring(0, ending);
        char first = url.isEmpty() ? ' ' : url.charAt(0);
        boolean noScheme = first == '/' || first == '\\' || url.regionMatches(true, 0, "www.", 0, 4);
        int colon = noScheme ? -1 : url.indexOf(':');
        List<String> hosts = new ArrayList<>(3);
        int afterSlashes = colon + 1;
        while (afterSlashes < url.length() && (url.charAt(afterSlashes) == '/' || url.charAt(afterSlashes) == '\\')) {
            afterSlashes++;
        }
        hosts.add(hostOf(url, afterSlashes, "/\\?#"));
        if (noScheme && first != '/' && first != '\\') {
            hosts.add(hostOf(url, 0, "/?#"));  // www.…, linked as http://www.…
        } else if (url.startsWith("//", colon + 1)) {
            hosts.add(hostOf(url, colon + 3, "/?#"));
        }
        int linkEnd = linkifierEnd(url, afterSlashes);
        if (linkEnd < url.length()) {
            hosts.add(hostOf(url.substring(0, linkEnd), afterSlashes, "/\\?#"));
        }
        return hosts;
    }

    /**
     * Whether {@code host} is one of {@code allowed} (exact names, or {@code *.example.com} for its subdomains); or one
     * of them followed by glued text (from its first character that is no ASCII letter, digit, hyphen or dot) that
     * cannot make it name another registrable domain:
     * <ul>
     *   <li>text without a dot (ASCII, or a full stop URL parsers read as one) only lengthens the top-level label into
     *       one no registry hands out: a Japanese comma and words, {@code docs.example.com、をご覧ください}, an
     *       apostrophe, {@code docs.example.com's}, a footnote mark, {@code docs.example.com[1]};</li>
     *   <li>text with a dot whose last two labels are not both labels a domain can have (letters, digits, hyphens):
     *       code calling a method on a quoted origin, {@code "https://docs.example.com".equals(x)},
     *       {@code ("https://docs.example.com").href}, where the would-be domain is {@code com").href}.</li>
     * </ul>
     * With a dot and a plausible domain at its end ({@code docs.example.com、.evil.net}, read by Node as
     * {@code docs.example.xn--com-6y3b.evil.net}; {@code "https://docs.example.com".evil.net} as a shell or cmark-gfm
     * reads it), or with what encodes or expands into one (a {@code %}, a shell's {@code \}, {@code $'…'},
     * {@code $(…)} or backquoted command, curl's and the shell's {@code [..]} and <code>{..}</code> globs beside a dot),
     * it is not allowed. A host with a space in it (a pointy markdown destination read whole) is refused by every
     * reader: it leads nowhere.
     */
    static boolean allowed(String host, List<String> allowed) {
        if (host.startsWith("*.")) {
            // A wildcard written in a configuration (https://*.docs.example.com): a name under the domain it follows.
            host = "wildcard" + host.substring(1);
        }
        if (listed(host, allowed) || host.indexOf(' ') >= 0) {
            return true;
        }
        int glued = 0;
        while (glued < host.length() && isLetterDigitHyphenOrDot(host.charAt(glued))) {
            glued++;
        }
        if (glued == 0 || glued == host.length() || !listed(host.substring(0, glued), allowed)) {
            return false;
        }
        String text = host.substring(glued);
        boolean dot = text.chars().anyMatch(LinkHosts::isDot);
        if (text.indexOf('%') >= 0 || text.indexOf('\\') >= 0 || text.contains("$'") || text.contains("$(")
                || ShellReading.opensCommand(text) || dot && (text.indexOf('[') >= 0 || text.indexOf('{') >= 0)) {
            return false;
        }
        // The glued text may start inside the quotes the link was written in ("https://docs.example.com".evil.net):
        // read it from each state a shell can be in there.
        String prefix = host.substring(0, glued);
        for (char openQuote : new char[] {0, '"', '\''}) {
            String word = ShellReading.word(text, openQuote);
            if (dot ? shellNamesADomain(prefix, word) : shellLengthensTheTopLabel(prefix, text, word)) {
                return false;
            }
        }
        return !dot || !endsInPlausibleDomain(host);
    }

    /**
     * Whether the shell, removing quotes or expanding a parameter, glues letters onto the top-level label that make
     * another top-level domain: {@code "https://docs.example.com"pany} is {@code docs.example.company}, and .company is
     * open to anyone ({@code …com's} is no top-level domain).
     */
    private static boolean shellLengthensTheTopLabel(String prefix, String text, String word) {
        return !word.isEmpty() && !word.equals(text)
                && PublicSuffixes.isTopLevel(prefix.substring(prefix.lastIndexOf('.') + 1) + word);
    }

    /**
     * Whether the allowed host {@code prefix} with the shell's reading {@code word} of the glued text names another
     * registrable domain: the word glued onto the top-level label and ending in a domain
     * ({@code "https://docs.example.com"evil.com} is {@code comevil.com}); two labels of its own after a dot
     * ({@code .evil.net}); or one label that with the allowed host's top-level label makes a public suffix
     * ({@code docs.example.com.co}, {@code docs.example.de.com}). One other label is code reading a property
     * ({@code "https://docs.example.com".host}).
     */
    private static boolean shellNamesADomain(String prefix, String word) {
        int firstDot = 0;
        while (firstDot < word.length() && !isDot(word.charAt(firstDot))) {
            firstDot++;
        }
        if (firstDot == word.length()) {
            return false;
        }
        if (firstDot > 0 && endsInPlausibleDomain(prefix + word)) {
            return true;
        }
        String after = word.substring(firstDot + 1);
        if (endsInPlausibleDomain(after)) {
            return true;
        }
        String top = prefix.substring(prefix.lastIndexOf('.') + 1);
        return firstDot == 0 && plausibleLabel(after, 0, after.length()) && PublicSuffixes.isTwoLabelSuffix(top + "." + after);
    }

    static boolean isDot(int c) {
        return c == '.' || c == '\u3002' || c == '\uFF0E' || c == '\uFF61';
    }

    /**
     * Whether the host's last two labels could both be a domain's (letters, digits, hyphens; in any script). Emoji and
     * other symbols are registered under a few ASCII country domains (.ws) only: a label holding one counts before an
     * ASCII top-level label, not before one in another script (a Chinese sentence's full stop after an emoji,
     * {@code docs.example.com👍。谢谢}).
     */
    private static boolean endsInPlausibleDomain(String host) {
        int last = host.length();
        int labels = 0;
        boolean asciiTop = false;
        for (int i = host.length() - 1; i >= -1 && labels < 2; i--) {
            if (i < 0 || isDot(host.charAt(i))) {
                // A top-level label has a letter (no top-level domain is a number: 1.2.3 is a version) and no symbol.
                if (!plausibleLabel(host, i + 1, last) || labels == 1 && !asciiTop && holdsSymbol(host, i + 1, last)
                        || labels == 0 && (holdsSymbol(host, i + 1, last) || host.substring(i + 1, last).chars().noneMatch(Character::isLetter))) {
                    return false;
                }
                if (labels == 0) {
                    asciiTop = host.substring(i + 1, last).chars().allMatch(c -> c < 0x80);
                }
                labels++;
                last = i;
            }
        }
        return labels == 2;
    }

    private static boolean holdsSymbol(String host, int from, int to) {
        for (int i = from; i < to; i++) {
            int type = Character.getType(host.charAt(i));
            if (type == Character.OTHER_SYMBOL || type == Character.MATH_SYMBOL || type == Character.MODIFIER_SYMBOL
                    || type == Character.CURRENCY_SYMBOL || Character.isSurrogate(host.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A label a domain can have, as IDNA reads it: ASCII letters, digits and hyphens, and outside ASCII anything but
     * punctuation, spaces and controls (letters with their combining marks, हिंदी; emoji, registrable under some
     * top-level domains; characters IDNA ignores or Java does not know yet, U+180F).
     */
    private static boolean plausibleLabel(String host, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = host.charAt(i);
            // IDNA allows a few punctuation marks in context: Catalan's middle dot (col·legi.cat), Greek and Hebrew signs,
            // the katakana middle dot.
            if (c < 0x80 ? !isLetterDigitHyphenOrDot(c) : endsLinkifiedLink(Character.getType(c)) && "\u00B7\u0375\u05F3\u05F4\u30FB".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetterDigitHyphenOrDot(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    }

    private static boolean listed(String host, List<String> allowed) {
        for (String a : allowed) {
            if (a.startsWith("*.") ? host.endsWith(a.substring(1)) : host.equals(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where a linkifier ends the link: at its first {@code @}, or punctuation, space or control character outside
     * ASCII ({@code https://evil.net、@docs.example.com} and {@code https://evil.net@docs.example.com} link evil.net).
     */
    private static int linkifierEnd(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '@' || c < ' ' || c == 0x7F || (c >= 0x80 && endsLinkifiedLink(Character.getType(c)))) {
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

    private static String hostOf(String url, int start, String authorityEnds) {
        int end = Math.min(start, url.length());
        while (end < url.length() && authorityEnds.indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(Math.min(start, end), end);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = authority.startsWith("[") ? authority.indexOf("]:") + 1 : authority.lastIndexOf(':');
        String host = colon > 0 ? authority.substring(0, colon) : authority;
        // Full stops ending the host end the sentence: ASCII, fullwidth, ideographic or halfwidth (URL parsers read the
        // last three as dots too).
        int ending = host.length();
        while (ending > 0 && ".\u3002\uFF0E\uFF61".indexOf(host.charAt(ending - 1)) >= 0) {
            ending--;
        }
        return host.substring(0, ending).toLowerCase(Locale.ROOT);
    }

    /**
     * A URL as browsers read it (WHATWG): spaces and control characters at either end stripped, tabs and line breaks
     * inside removed.
     */
    static String asBrowsersRead(String link) {
        int start = 0;
        int end = link.length();
        while (start < end && link.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && link.charAt(end - 1) <= ' ') {
            end--;
        }
        String url = link.substring(start, end);
        if (url.indexOf('\t') < 0 && url.indexOf('\n') < 0 && url.indexOf('\r') < 0) {
            return url;
        }
        return url.replaceAll("[\t\r\n]", "");
    }
}
