package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What result rules read joined: the text a client shows, in order, and nothing a client does not show. */
class ShownTextsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            MCP content items                   | {"content":[{"type":"text","text":"a "},{"type":"text","text":"b"}]}                                   | a b | 2
            MCP _meta text is not shown         | {"content":[{"type":"text","text":"a ","_meta":{"text":"x"}},{"type":"text","text":"b"}]}              | a b | 2
            a part's other members are not read | {"content":[{"type":"text","text":"a ","x":{"parts":[{"text":"x"}]}},{"type":"text","text":"b"}]}      | a b | 2
            MCP embedded resource               | {"content":[{"type":"resource","resource":{"uri":"f","text":"a"}}]}                                    | a   | 1
            MCP structured content is not shown | {"content":[{"type":"text","text":"a"}],"structuredContent":{"text":"x"}}                               | a   | 1
            MCP prompt messages                 | {"messages":[{"role":"user","content":{"type":"text","text":"a"}}]}                                    | a   | 1
            MCP progress message                | {"progressToken":1,"message":"a"}                                                                      | a   | 1
            A2A part metadata text is not shown | {"result":{"task":{"artifacts":[{"artifactId":"a","parts":[{"text":"a ","metadata":{"text":"x"}},{"text":"b"}]}]}}} | a b | 2
            A2A 0.3 parts                       | {"result":{"kind":"message","parts":[{"kind":"text","text":"a"},{"kind":"data","data":{"text":"x"}}]}} | a   | 1
            JSON-RPC error message              | {"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"a"}}                                               | a   | 1
            a text outside any part             | {"note":{"text":"x"}}                                                                                  | ''  | 0
            """)
    void joinsOnlyWhatAClientShows(String name, String document, String joined, int count) throws Exception {
        ShownTexts texts = ShownTexts.of(JSON.readTree(document));
        assertThat(texts.joined()).isEqualTo(joined);
        assertThat(texts.count()).isEqualTo(count);
    }
}
