package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which error-status bodies are refused whatever they say: compressed ones and event streams; pages and JSON are read. */
class AnswerEncodingErrorBodyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "a page                      | text/plain                          | -        | false",
        "JSON                        | application/json                    | -        | false",
        "no type                     | -                                   | -        | false",
        "identity                    | application/json                    | identity | false",
        "gzip                        | application/json                    | gzip     | true",
        "an event stream             | text/event-stream                   | -        | true",
        "an event stream, parameters | 'Text/Event-Stream; charset=utf-8'  | -        | true",
        "a page naming the type      | 'text/plain; x=text/event-stream'   | -        | false",
    })
    void refusesCompressedBodiesAndEventStreams(String name, String contentType, String encoding, boolean refused) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (contentType != null) {
            headers.add("Content-Type", contentType);
        }
        if (encoding != null) {
            headers.add("Content-Encoding", encoding);
        }
        assertThat(AnswerEncoding.errorBodyProblem(headers) != null).isEqualTo(refused);
    }
}
