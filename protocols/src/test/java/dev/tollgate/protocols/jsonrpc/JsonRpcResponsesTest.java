package dev.tollgate.protocols.jsonrpc;

import static dev.tollgate.protocols.jsonrpc.JsonRpcParserTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.json.StrictJsonParser;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonRpcResponsesTest {

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("string id, no data", JsonRpcId.of("x").value(), -32600, "Invalid Request", null,
                        "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"}}"),
                Arguments.of("integer id with data", JsonRpcId.of(7).value(), -32602, "Invalid params", json("{\"reason\":\"invalid_params\"}"),
                        "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32602,\"message\":\"Invalid params\",\"data\":{\"reason\":\"invalid_params\"}}}"),
                Arguments.of("unknown id is null", null, -32700, "Parse error", null,
                        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}"),
                Arguments.of("an object id is never reflected", json("{\"evil\":1}"), -32600, "m", null,
                        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"m\"}}"),
                Arguments.of("quotes and newlines in the message stay inside the string", JsonRpcId.of(1).value(), -32000, "a \"b\"\n}", null,
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"a \\\"b\\\"\\n}\"}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void writesTheErrorEnvelope(String name, JsonNode id, int code, String message, JsonNode data, String expected) {
        assertThat(new String(JsonRpcResponses.error(id, code, message, data), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void errorWithoutDataArgumentMatchesNullData() {
        assertThat(JsonRpcResponses.error(JsonRpcId.of(1).value(), -32601, "Method not found"))
                .isEqualTo(JsonRpcResponses.error(JsonRpcId.of(1).value(), -32601, "Method not found", null));
    }

    @Test
    void writtenErrorIsAValidJsonRpcResponse() throws Exception {
        byte[] body = JsonRpcResponses.error(JsonRpcId.of("r").value(), JsonRpcErrorCodes.INTERNAL_ERROR, "Internal error", json("[1]"));

        assertThat(new JsonRpcParser(new StrictJsonParser()).parse(body)).isEqualTo(new JsonRpcPayload.Single(
                new JsonRpcResponse(JsonRpcId.of("r"), null, new JsonRpcError(-32603, "Internal error", json("[1]")))));
    }

    @Test
    void standardCodesHaveTheirSpecValues() {
        assertThat(new int[]{JsonRpcErrorCodes.PARSE_ERROR, JsonRpcErrorCodes.INVALID_REQUEST, JsonRpcErrorCodes.METHOD_NOT_FOUND,
                JsonRpcErrorCodes.INVALID_PARAMS, JsonRpcErrorCodes.INTERNAL_ERROR})
                .containsExactly(-32700, -32600, -32601, -32602, -32603);
    }
}
