package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocols.json.StrictJsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The call a requestState is bound to: the same call however its arguments are spelt, another call for any other value. */
class RequestStateCallTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RequestStateCall of(String method, String params) throws Exception {
        return RequestStateCall.of(method, params == null ? null : JSON.readTree(params));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"a\":1,\"b\":\"x\"}                 | {\"b\":\"x\",\"a\":1}",
        "{\"n\":10}                            | {\"n\":10.0}",
        "{\"n\":10}                            | {\"n\":1e1}",
        "{\"n\":0}                             | {\"n\":0.000}",
        "{\"n\":[1,{\"y\":2,\"x\":1}]}         | { \"n\" : [ 1 , { \"x\" : 1 , \"y\" : 2.00 } ] }",
        "{\"s\":\"é\"}                         | {\"s\":\"\\u00e9\"}",
    })
    void theSameArgumentsSpeltAnotherWayAreTheSameCall(String one, String other) throws Exception {
        assertThat(of("tools/call", "{\"name\":\"t\",\"arguments\":" + one + "}"))
                .isEqualTo(of("tools/call", "{\"name\":\"t\",\"arguments\":" + other + "}"));
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"a\":1}             | {\"a\":2}",
        "{\"a\":1}             | {\"a\":\"1\"}",
        "{\"a\":[1,2]}         | {\"a\":[2,1]}",
        "{\"a\":1}             | {\"a\":1,\"b\":null}",
        "{}                    | null",
        "{\"a\":true}          | {\"a\":\"true\"}",
    })
    void otherArgumentsAreAnotherCall(String one, String other) throws Exception {
        assertThat(of("tools/call", "{\"name\":\"t\",\"arguments\":" + one + "}"))
                .isNotEqualTo(of("tools/call", "{\"name\":\"t\",\"arguments\":" + other + "}"));
    }

    @Test
    void absentArgumentsDifferFromEmptyOnesAndTheTargetIsTheNameElseTheUri() throws Exception {
        assertThat(of("tools/call", "{\"name\":\"t\"}")).isNotEqualTo(of("tools/call", "{\"name\":\"t\",\"arguments\":{}}"));
        assertThat(of("resources/read", "{\"uri\":\"file:///a\"}").target()).isEqualTo("file:///a");
        assertThat(of("tools/call", "{\"name\":\"t\",\"uri\":\"file:///a\"}").target()).isEqualTo("t");
        assertThat(of("tools/list", null).target()).isNull();
        assertThat(of("tools/call", "{\"name\":\"\"}").bytes()).isNotEqualTo(of("tools/call", "{}").bytes());
    }

    @Test
    void exactNumbersAsTheGatewayReadsThemCompareByValue() throws Exception {
        StrictJsonParser parser = new StrictJsonParser(64);
        assertThat(RequestStateCall.of("tools/call", parser.parse("{\"name\":\"t\",\"arguments\":{\"n\":1.50}}".getBytes())))
                .isEqualTo(RequestStateCall.of("tools/call", parser.parse("{\"name\":\"t\",\"arguments\":{\"n\":1.5}}".getBytes())));
    }
}
