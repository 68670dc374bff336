package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Links read as the programs that follow them read them (attacker's catalog): a link the gateway reads as leading to an
 * allowed host, or as no link at all, while a browser, Node's {@code fetch} or a linkifier goes elsewhere. The WHATWG
 * readings are checked against Node's own {@code URL} parser, so the catalog proves each differential is real.
 */
class LinkReadersTest {

    private static final List<String> ALLOWED = List.of("docs.example.com", "*.docs.example.com");

    /** Each link as written, and the host Node's WHATWG {@code URL} reads in it. */
    private static final Map<String, String> WHATWG_HOSTS = new LinkedHashMap<>();

    static {
        // The authority ends at a backslash: the gateway read the host after the '@', as Python does.
        WHATWG_HOSTS.put("https://evil.net\\@docs.example.com/x?q=SECRET", "evil.net");
        // No "//" needed after a special scheme's colon, and backslashes count as slashes.
        WHATWG_HOSTS.put("https:evil.net/x?q=SECRET", "evil.net");
        WHATWG_HOSTS.put("HTTPS:evil.net/x?q=SECRET", "evil.net");
        WHATWG_HOSTS.put("https:/\\evil.net/x?q=SECRET", "evil.net");
        WHATWG_HOSTS.put("https:\\\\evil.net/x?q=SECRET", "evil.net");
        WHATWG_HOSTS.put("wss:evil.net/socket", "evil.net");
        WHATWG_HOSTS.put("ftp:evil.net/drop", "evil.net");
        // Tabs and line breaks inside a link are removed (an HTML attribute written over two lines).
        WHATWG_HOSTS.put("https://docs.example.com\n.evil.net/p?q=SECRET", "docs.example.com.evil.net");
        WHATWG_HOSTS.put("https://docs.example.com\t-evil.net/p?q=SECRET", "docs.example.com-evil.net");
        WHATWG_HOSTS.put("https://docs.example.com\r\n@evil.net/p?q=SECRET", "evil.net");
    }

    @Test
    void nodeReadsEachCatalogLinkAsLeadingWhereTheCatalogSays() throws Exception {
        assertThat(whatwgHosts(List.copyOf(WHATWG_HOSTS.keySet()))).isEqualTo(List.copyOf(WHATWG_HOSTS.values()));
    }

    @Test
    void everyCatalogLinkIsFoundInTextAndInAnHtmlAttribute() {
        for (String link : WHATWG_HOSTS.keySet()) {
            assertThat(found("see " + link + " now")).as(link).containsExactly("url");
            assertThat(found("<img src=\"" + link + "\">")).as(link).containsExactly("url");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "_https://evil.net/p?q=SECRET_",                 // markdown emphasis: cmark-gfm links what follows the underscore
            "__https://evil.net/p?q=SECRET__",
            "~https://evil.net/p?q=SECRET~",
            // A linkifier (markdown-it's linkify-it) ends the link at a Japanese comma: it links evil.net, while WHATWG
            // and Python read on to a host under (or equal to) an allowed one.
            "https://evil.net\u3001@docs.example.com/p?q=SECRET",
            "https://evil.net\u3001.docs.example.com/p?q=SECRET",
    })
    void aLinkGluedAfterMarkdownEmphasisOrCutByALinkifierIsFound(String text) {
        assertThat(found(text)).as(text).containsExactly("url");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\u8a73\u7d30\u306f https://docs.example.com\u3001\u3092\u3054\u89a7\u304f\u3060\u3055\u3044\u3002",   // 詳細は …、をご覧ください。
            "\u53c2\u89c1 https://docs.example.com\u83b7\u53d6\u66f4\u591a\u4fe1\u606f",                           // 参见 …获取更多信息
            "Docs: https://docs.example.com\nNext, install it.",
            "Docs: https://docs.example.com\n- step one\n- step two",
            "Docs: https://docs.example.com\n---\nMore",
            "Docs: https://docs.example.com/a\n:)",
            "Use https: for every link, and ws: only on loopback.",
            "Scheme https:// then the host.",
            "sftp:files.example.org and news:comp.lang are not web links; neither is xhttps:evil.net",
            "int x = 1; // http is the protocol\nlet a = //comment\nfetch('//api/x')",
            "<a href=\"/docs/guide\">guide</a> and <a href=\"https://docs.example.com/guide\">the guide</a>",
            "[guide](https://docs.example.com/guide) and [api](https://api.docs.example.com/v1).",
            "(see https://docs.example.com). Or \"https://docs.example.com is the site\", she said.",
            "Email support@docs.example.com or visit https://docs.example.com.",
            "https://docs.example.com/a?x=1&amp;y=2&#38;z=3 and <https://docs.example.com/b>",
            "[1]: https://docs.example.com/ref\n\nSee [the reference][1] and www.docs.example.com/x.",
            "Python's http:// prefix, C:\\\\server\\share, and a path a//b.",
            "[docs](https://docs.example.com's-guide) and https://docs.example.com's guide",
    })
    void ordinaryTextAroundAnAllowedLinkIsNoFinding(String text) {
        assertThat(found(text)).as(text).isEmpty();
    }

    /**
     * Text glued after an allowed host that holds a dot (or a percent-encoded one) could name another registrable host (Node
     * reads {@code docs.example.com、.evil.net} as {@code docs.example.xn--com-6y3b.evil.net}): still a finding.
     */
    @ParameterizedTest
    @ValueSource(strings = {"https://docs.example.com\u3001.evil.net/p", "https://docs.example.com\u3001%2Eevil.net/p",
            "https://docs.example.com\u3002evil.net/p", "https://docs.example.com\uFF0Eevil.net/p"})
    void gluedTextThatCouldNameAnotherHostIsStillAFinding(String text) {
        assertThat(found(text)).as(text).containsExactly("url");
    }

    @Test
    void nodeReadsTheGluedTextAsPartOfTheHost() throws Exception {
        assertThat(whatwgHosts(List.of("https://docs.example.com\u3001.evil.net/p", "https://docs.example.com\u3001\u3092\u3054\u89a7\u304f\u3060\u3055\u3044")))
                .containsExactly("docs.example.xn--com-6y3b.evil.net", "docs.example.xn--com-6y3bxn9b8aj2h9w9502f");
    }

    private static List<String> found(String text) {
        return DocumentScan.scan(TextNode.valueOf(text), List.of(Detectors.exfiltrationUrls(ALLOWED))).stream()
                .map(Finding::kind).toList();
    }

    /** The host Node's {@code URL} reads in each link ("FAIL" where it refuses one). */
    private static List<String> whatwgHosts(List<String> links) throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        Process node = new ProcessBuilder("node", "-e", """
                let s = ''; process.stdin.on('data', d => s += d).on('end', () => console.log(JSON.stringify(
                  JSON.parse(s).map(u => { try { return new URL(u).host } catch (e) { return 'FAIL' } }))))""")
                .redirectErrorStream(true).start();
        node.getOutputStream().write(json.writeValueAsBytes(links));
        node.getOutputStream().close();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        return List.of(json.readValue(out, String[].class));
    }
}
