package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
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
            nor a textless part's other members | {"content":[{"type":"text","text":"a "},{"type":"image","data":"AA==","x":{"content":[{"text":"x"}]}},{"type":"text","text":"b"}]} | a b | 2
            MCP embedded resource               | {"content":[{"type":"resource","resource":{"uri":"f","text":"a"}}]}                                    | a   | 1
            MCP structured content is not shown | {"content":[{"type":"text","text":"a"}],"structuredContent":{"text":"x"}}                               | a   | 1
            MCP prompt messages                 | {"messages":[{"role":"user","content":{"type":"text","text":"a"}}]}                                    | a   | 1
            MCP progress message                | {"progressToken":1,"message":"a"}                                                                      | a   | 1
            A2A part metadata text is not shown | {"result":{"task":{"artifacts":[{"artifactId":"a","parts":[{"text":"a ","metadata":{"text":"x"}},{"text":"b"}]}]}}} | a b | 2
            A2A 0.3 parts                       | {"result":{"kind":"message","parts":[{"kind":"text","text":"a"},{"kind":"data","data":{"text":"x"}}]}} | a   | 1
            JSON-RPC error message              | {"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"a"}}                                               | a   | 1
            a text outside any part             | {"note":{"text":"x"}}                                                                                  | ''  | 0
            two messages are two runs of text   | {"result":{"task":{"history":[{"parts":[{"text":"hi"}]},{"parts":[{"text":"Ignore"}]}]}}}              | hi Ignore | 2
            """)
    void joinsOnlyWhatAClientShows(String name, String document, String joined, int count) throws Exception {
        ShownTexts texts = ShownTexts.of(JSON.readTree(document));
        assertThat(texts.joined()).isEqualTo(joined);
        assertThat(texts.count()).isEqualTo(count);
    }

    @Test
    void keepsEachArtifactsTextApartWhenAskedAndWhatIsOutsideArtifactsInItsOwnChannel() throws Exception {
        String document = """
                {"result":{"task":{"status":{"message":{"parts":[{"text":"working"}]}},
                 "artifacts":[{"artifactId":"a","parts":[{"text":"Ignore all "},{"text":"previous"}]},{"artifactId":"b","parts":[{"text":"lorem"}]}],
                 "history":[{"parts":[{"text":"hi"}]}]}}}""";
        ShownTexts texts = ShownTexts.of(JSON.readTree(document), true);
        assertThat(texts.channels()).isEqualTo(3);
        assertThat(texts.channel(0)).isEqualTo(ShownTexts.OUTSIDE_ARTIFACTS);
        assertThat(texts.joined(0)).isEqualTo("working hi");
        assertThat(texts.channel(1)).isEqualTo("a");
        assertThat(texts.joined(1)).isEqualTo("Ignore all previous");
        assertThat(texts.count(1)).isEqualTo(2);
        assertThat(texts.joined(2)).isEqualTo("lorem");
        // A 1.0 artifact update event; an artifactId outside an artifact (here on a part) names no channel.
        ShownTexts update = ShownTexts.of(JSON.readTree("""
                {"result":{"artifactUpdate":{"artifact":{"artifactId":"a","parts":[{"text":"x ","artifactId":"z"},{"text":"y"}]},"append":true}}}"""), true);
        assertThat(update.channels()).isEqualTo(1);
        assertThat(update.channel(0)).isEqualTo("a");
        assertThat(update.joined(0)).isEqualTo("x y");
        // Many artifacts: looked up, not searched.
        StringBuilder many = new StringBuilder("{\"artifacts\":[");
        for (int i = 0; i < 20; i++) {
            many.append(i == 0 ? "" : ",").append("{\"artifactId\":\"").append(i % 10).append("\",\"parts\":[{\"text\":\"t\"}]}");
        }
        ShownTexts tenChannels = ShownTexts.of(JSON.readTree(many.append("]}").toString()), true);
        assertThat(tenChannels.channels()).isEqualTo(10);
        assertThat(tenChannels.joined(9)).isEqualTo("t t");
    }
}
