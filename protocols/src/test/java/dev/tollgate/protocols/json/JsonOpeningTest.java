package dev.tollgate.protocols.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonOpeningTest {

    /** As a client's JSON.parse of fetch's text() sees the bytes: one UTF-8 byte order mark dropped, JSON whitespace skipped. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "object                    | '{\"a\":1}'          | true",
        "array                     | '[1]'                | true",
        "whitespace first          | ' \t\r\n{'           | true",
        "byte order mark           | '\uFEFF{\"a\":1}'    | true",
        "mark then whitespace      | '\uFEFF  ['          | true",
        "two marks                 | '\uFEFF\uFEFF{'      | false",
        "a string                  | '\"text\"'           | false",
        "a page                    | '<html>{</html>'     | false",
        "empty                     | ''                   | false",
        "form feed is no JSON space | '\f{'               | false",
    })
    void opensLikeJsonAsAClientParsesIt(String name, String body, boolean opens) {
        assertThat(JsonOpening.opensLikeJson(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(opens);
    }
}
