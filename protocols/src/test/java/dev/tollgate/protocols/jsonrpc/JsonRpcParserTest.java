package dev.tollgate.protocols.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocols.json.StrictJsonParser;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonRpcParserTest {

    private final JsonRpcParser parser = new JsonRpcParser(new StrictJsonParser());

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("not JSON", "nope", -32700, "invalid_json", null),
                Arguments.of("duplicate key", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"method\":\"b\"}", -32700, "duplicate_key", null),
                Arguments.of("scalar", "42", -32600, "not_jsonrpc", null),
                Arguments.of("missing jsonrpc", "{\"id\":1,\"method\":\"ping\"}", -32600, "not_jsonrpc", "1"),
                Arguments.of("jsonrpc 1.0", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", -32600, "not_jsonrpc", "1"),
                Arguments.of("jsonrpc as number", "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", -32600, "not_jsonrpc", "1"),
                Arguments.of("unknown member", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"extra\":1}", -32600, "not_jsonrpc", "1"),
                Arguments.of("method and result", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"result\":{}}", -32600, "not_jsonrpc", "1"),
                Arguments.of("method not a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", -32600, "invalid_method", "1"),
                Arguments.of("empty method", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", -32600, "invalid_method", "1"),
                Arguments.of("params a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":\"x\"}", -32602, "invalid_params", "1"),
                Arguments.of("id an object", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id a boolean", "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id a fraction", "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id null on a request", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("response with both", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"m\"}}", -32600, "invalid_response", "1"),
                Arguments.of("response with neither", "{\"jsonrpc\":\"2.0\",\"id\":1}", -32600, "invalid_response", "1"),
                Arguments.of("error without code", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"message\":\"m\"}}", -32600, "invalid_response", "1"),
                Arguments.of("result with null id", "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}", -32600, "invalid_id", null),
                Arguments.of("neither method nor id", "{\"jsonrpc\":\"2.0\"}", -32600, "not_jsonrpc", null),
                Arguments.of("empty batch", "[]", -32600, "empty_batch", null),
                Arguments.of("batch with a scalar", "[{\"jsonrpc\":\"2.0\",\"method\":\"n\"},1]", -32600, "not_jsonrpc", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithCodeReasonAndRecoveredId(String name, String body, int code, String reason, String id) {
        assertThatThrownBy(() -> parser.parse(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(JsonRpcRejection.class, e -> {
                    assertThat(e.jsonRpcCode()).isEqualTo(code);
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.id() == null ? null : e.id().toString()).isEqualTo(id);
                });
    }

    @Test
    void classifiesRequestNotificationAndResponses() throws Exception {
        JsonRpcPayload payload = parser.parse(("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"ok\":true}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}]").getBytes(StandardCharsets.UTF_8));

        assertThat(payload).isInstanceOf(JsonRpcPayload.Batch.class);
        assertThat(payload.messages()).hasSize(4);
        JsonRpcRequest request = (JsonRpcRequest) payload.messages().get(0);
        assertThat(request.id().toString()).isEqualTo("\"a\"");
        assertThat(request.method()).isEqualTo("tools/call");
        assertThat(request.params().get("name").asText()).isEqualTo("x");
        assertThat(payload.messages().get(1)).isEqualTo(new JsonRpcNotification("notifications/initialized", null));
        assertThat(((JsonRpcResponse) payload.messages().get(2)).result().get("ok").asBoolean()).isTrue();
        JsonRpcResponse error = (JsonRpcResponse) payload.messages().get(3);
        assertThat(error.id()).isNull();
        assertThat(error.error().code()).isEqualTo(-32700);
    }

    @Test
    void singleMessageIsNotABatch() throws Exception {
        JsonRpcPayload payload = parser.parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(payload).isEqualTo(new JsonRpcPayload.Single(new JsonRpcRequest(JsonRpcId.of(1), "ping", null)));
    }

    @Test
    void errorResponseBytesCarryIdCodeMessageAndData() {
        byte[] body = JsonRpcResponses.error(JsonRpcId.of("x").value(), -32600, "Invalid Request", null);

        assertThat(new String(body, StandardCharsets.UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"}}");
        assertThat(new String(JsonRpcResponses.error(null, -32700, "Parse error", null), StandardCharsets.UTF_8)).contains("\"id\":null");
    }
}
