package dev.tollgate.gateway.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.protocols.mcp.ResourceUriForm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resource URI form check against the reading that decides what the TypeScript SDK server reads: every generated URI
 * {@link ResourceUriForm} accepts must be its own WHATWG serialization ({@code new URL(uri).href} in Node), or be
 * refused by that parser outright. Candidates mutate each part of a URI (scheme, user information, host in every
 * notation, port, path with dot segments in every spelling, query, fragment) with every byte raw and escaped; a
 * differential run of 279,448 such URIs found the forms this check now refuses.
 */
class ResourceUriReadingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SCHEMES = List.of("file", "http", "https", "ws", "ftp", "custom", "urn");
    private static final List<String> AUTHORITIES = List.of("", "h", "example.com", "EXAMPLE.com", "h.", "localhost", "LOCALHOST",
            "127.0.0.1", "127.1", "0177.0.0.1", "0x7f.0.0.1", "2130706433", "127.0.0.01", "1.2.3", "[::1]", "[0:0:0:0:0:0:0:1]",
            "[::FFFF:1.2.3.4]", "xn--nxasmq6b", "XN--nxasmq6b", "a%41b", "a%2fb", "@h", ":@h", "u@h", "u:@h", "u:p:q@h", "a;b@h",
            "a@b@h", "h:", "h:80", "h:0080", "h:443", "h:21", "h:8080", "h:0", "[::1]:", "[::1]:080", "c:", "C|");
    private static final List<String> PATHS = List.of("", "/", "//", "/a", "/a/b", "/a//b", "/.", "/..", "/./a", "/../a", "/a/..",
            "/a/../b", "/.a", "/...", "/%2e", "/%2E", "/.%2e", "/%2e%2e", "/a/%2E%2E/b", "/..%2F", "/a%2F..%2Fb", "/..%5Csecret",
            "/a;b", "/..;/a", "/C:/", "/c|/a", "/C%3A/", "/a?b", "/a#b", "/a?b'c", "/a#'", "/a?..", "/%7e", "/%41", "/%3a", "/%25",
            "/%252e", "/%C3%A9", "/%c3%a9", "/%00", "/%0A", "/%7F", "a", "a/../b", ".", "..");

    @TempDir
    Path dir;

    @Test
    void everyUriTheCheckAcceptsIsItsOwnWhatwgReading() throws Exception {
        List<String> candidates = new ArrayList<>(candidates());
        Path file = dir.resolve("uris.jsonl");
        StringBuilder lines = new StringBuilder();
        for (String uri : candidates) {
            lines.append(JSON.writeValueAsString(uri)).append('\n');
        }
        Files.writeString(file, lines, StandardCharsets.UTF_8);

        NodePeers.Result read = NodePeers.run(120, "url-readings.mjs", file.toString());

        String[] hrefs = read.output().split("\n");
        assertThat(hrefs).as(read.output().length() > 300 ? read.output().substring(0, 300) : read.output()).hasSize(candidates.size());
        List<String> rewritten = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < candidates.size(); i++) {
            String uri = candidates.get(i);
            if (ResourceUriForm.problem(uri) != null) {
                continue;
            }
            accepted++;
            String href = JSON.readValue(hrefs[i], String.class);
            if (href != null && !href.equals(uri)) {
                rewritten.add(uri + " -> " + href);
            }
        }
        assertThat(accepted).as("candidates the check accepts (the generator must reach them)").isGreaterThan(1_000);
        assertThat(rewritten).as("accepted URIs a WHATWG parser reads as another text").isEmpty();
    }

    private static Set<String> candidates() {
        Set<String> out = new LinkedHashSet<>();
        List<String> mutations = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            mutations.add(String.format(Locale.ROOT, "%%%02X", b));
            mutations.add(String.format(Locale.ROOT, "%%%02x", b));
            if (b < 128) {
                mutations.add(String.valueOf((char) b));
            }
        }
        mutations.addAll(List.of("\u00e9", "\u00a0", "\u2028", "\ufeff", "\uFF0E"));
        for (String scheme : SCHEMES) {
            for (String authority : AUTHORITIES) {
                for (String path : PATHS) {
                    out.add(scheme + "://" + authority + path);
                }
            }
            for (String path : PATHS) {
                out.add(scheme + ":" + path);
                out.add(scheme.toUpperCase(Locale.ROOT) + "://h" + path);
            }
            for (String m : mutations) {
                for (String shape : List.of("://h%s/", "://h/%s", "://h/a%sb", "://h/?%s", "://h/#%s", "://%s@h/", "://h/..%s/b",
                        "://h/a%s../b", "://h/%s/../", "://h/.%s/", "://h:1%s/", ":%s", "://[::1%s]/")) {
                    out.add(scheme + shape.formatted(m));
                }
            }
        }
        return out;
    }
}
