package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The form check on resource URIs: what a WHATWG URL parser (the TypeScript SDK server's {@code new URL()}) or an RFC
 * 3986 normalizer would read as another text is refused, each with why; URIs servers read as written pass.
 */
class ResourceUriFormTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "file:///secret.txt",
            "file:///vault/keys",
            "file://fileserver/share/a.txt",
            "file:///C:/Users/me/notes.md",
            "https://example.com/docs/readme.md",
            "https://example.com:8443/a?b=c#d",
            "file:///a%2Fb%5Cc",
            "custom://h/?b'c",
            "file:///100%25",
            "http://127.0.0.1:8080/x",
            "http://10.0.0.1/",
            "https://v2.api.example.com./x",
            "postgres://db.internal/orders/42",
            "custom://Host/A/..b/c..",
            "urn:isbn:0451450523",
            "mem:note-1",
            "git://repo/a%20b%2Fc",
            "file:///a%25zz",
            "file:///a%C3%A9.txt",
            "file:///%E2%82%AC%F0%9F%98%80%C3%A9",
            "file:///%C3%A9%20x%E2%82%AC"})
    void urisServersReadAsWrittenPass(String uri) {
        assertThat(ResourceUriForm.problem(uri)).as(uri).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '"', textBlock = """
            FILE:///secret.txt                  => lower-case scheme
            File:///secret.txt                  => lower-case scheme
            file:///public/../secret.txt        => '..' segment
            file:///./secret.txt                => '.' segment
            file:///vault/keys/..               => '..' segment
            custom://h/a/../b                   => '..' segment
            file:///%2e%2e/secret.txt           => escape of '.'
            file:///x/%2E%2E/vault/keys         => escape of '.'
            file:///%73ecret.txt                => escape of 's'
            custom:/a/b%2e                      => escape of '.'
            file:///secret.tx%74                => escape of 't'
            file:///a%2                         => starts no escape
            file:///a%zz                        => starts no escape
            file://localhost/secret.txt         => localhost
            file://LOCALHOST/secret.txt         => upper-case letters in its host
            file:\\\\\\secret.txt               => '\\'
            file:/secret.txt                    => without '//'
            file:secret.txt                     => without '//'
            https:example.com/x                 => without '//'
            https:///example.com/x              => no host
            https://example.com                 => no path
            https://Example.com/x               => upper-case letters in its host
            https://ex%61mple.com/x             => escape of 'a'
            https://example.com:443/x           => default port
            http://example.com:80/x             => default port
            https://example.com:/x              => not a number
            https://example.com:0443/x          => leading zero
            http://0x7f.1/admin                 => IPv4
            http://2130706433/admin             => IPv4
            http://127.0.0.01/admin             => IPv4
            http://[::1]/admin                  => IP literal
            file://c:/secret.txt                => drive letter
            file://u@host/x                     => user information
            http://@h/x                         => user information
            http://u:@h/x                       => user information
            custom://a;b@h/x                    => user information
            custom://[0:0:0:0:0:0:0:1]/x        => IP literal
            custom://[::1]:080/x                => IP literal
            https://h/a?b'c                     => in the query
            file:///a?'                         => in the query
            file:///public/..%2Fsecret          => escaped slashes
            file:///a%2F..%2Fb                  => escaped slashes
            file:///..%5Csecret                 => escaped slashes
            file:///%252e                       => escaped escape
            file:///a%3ab                       => lower case
            file:///a%c3%a9                     => lower case
            file:///a%00b                       => control
            file:///a%0Ab                       => control
            file:///a%7Fb                       => control
            "file:///secr et.txt"               => U+0020
            "file:///a""b"                      => "'""'"
            file:///a<b>                        => '<'
            file:///a{b}                        => '{'
            file:///a|b                         => '|'
            file:///a`b                         => '`'
            file:///résumé.txt                  => U+00E9
            file:///a%FF.txt                    => not UTF-8
            file:///a%FE.txt                    => not UTF-8
            file:///a%C3.txt                    => not UTF-8
            file:///a%C3%28                     => not UTF-8
            file:///a%A9                        => not UTF-8
            file:///a%C0%AF                     => not UTF-8
            file:///a%E0%80%AE                  => not UTF-8
            file:///a%ED%A0%80                  => not UTF-8
            file:///a%F4%90%80%80               => not UTF-8
            file:///a%C3%A9%A9                  => not UTF-8
            file:///a%E2%82                     => not UTF-8
            """)
    void urisServersWouldReadAsAnotherTextAreRefused(String uri, String why) {
        assertThat(ResourceUriForm.problem(uri)).as(uri).isNotNull().contains(why);
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(ints = {0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x7F, 0xA0, 0x2028, 0xFEFF})
    void controlsSpacesAndInvisibleCharactersAnywhereAreRefused(int codePoint) {
        String c = Character.toString(codePoint);
        for (String uri : new String[] {c + "file:///secret.txt", "file:///secret.txt" + c, "file:///sec" + c + "ret.txt"}) {
            assertThat(ResourceUriForm.problem(uri)).as(uri).isNotNull();
        }
    }
}
