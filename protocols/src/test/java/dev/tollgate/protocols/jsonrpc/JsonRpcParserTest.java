package dev.tollgate.protocols.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocols.json.StrictJsonParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonRpcParserTest {

    private static final int DEPTH = 4;
    private final JsonRpcParser parser = new JsonRpcParser(new StrictJsonParser(DEPTH));

    static Stream<Arguments> invalid() {
        return Stream.of(
                // JSON-level failures: -32700, never an id (the document could not be trusted).
                Arguments.of("not JSON", "nope", -32700, "invalid_json", null),
                Arguments.of("trailing content", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} {}", -32700, "invalid_json", null),
                Arguments.of("duplicate key", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"method\":\"b\"}", -32700, "duplicate_key", null),
                Arguments.of("duplicate id", "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"a\"}", -32700, "duplicate_key", null),
                Arguments.of("nesting past the limit", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":[[[[]]]]}", -32700, "nesting_too_deep", null),
                Arguments.of("invalid UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\u0000\"}", -32700, "invalid_utf8", null),
                Arguments.of("empty body", "", -32700, "empty_body", null),
                // Structurally invalid JSON-RPC: -32600, the id echoed when it was readable.
                Arguments.of("scalar", "42", -32600, "not_jsonrpc", null),
                Arguments.of("string document", "\"ping\"", -32600, "not_jsonrpc", null),
                Arguments.of("missing jsonrpc", "{\"id\":1,\"method\":\"ping\"}", -32600, "not_jsonrpc", "1"),
                Arguments.of("jsonrpc 1.0", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", -32600, "not_jsonrpc", "1"),
                Arguments.of("jsonrpc 2.00", "{\"jsonrpc\":\"2.00\",\"id\":\"q\",\"method\":\"ping\"}", -32600, "not_jsonrpc", "\"q\""),
                Arguments.of("jsonrpc as number", "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", -32600, "not_jsonrpc", "1"),
                Arguments.of("unknown member", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"extra\":1}", -32600, "not_jsonrpc", "1"),
                Arguments.of("method and result", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"result\":{}}", -32600, "not_jsonrpc", "1"),
                Arguments.of("method and error", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"error\":{\"code\":1,\"message\":\"m\"}}", -32600, "not_jsonrpc", "1"),
                Arguments.of("neither method nor id", "{\"jsonrpc\":\"2.0\"}", -32600, "not_jsonrpc", null),
                Arguments.of("result without id", "{\"jsonrpc\":\"2.0\",\"result\":{}}", -32600, "not_jsonrpc", null),
                Arguments.of("method not a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", -32600, "invalid_method", "1"),
                Arguments.of("method null", "{\"jsonrpc\":\"2.0\",\"id\":\"r\",\"method\":null}", -32600, "invalid_method", "\"r\""),
                Arguments.of("empty method", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", -32600, "invalid_method", "1"),
                Arguments.of("params a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":\"x\"}", -32602, "invalid_params", "1"),
                Arguments.of("params a number", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":3}", -32602, "invalid_params", "1"),
                Arguments.of("params null", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":null}", -32602, "invalid_params", "1"),
                Arguments.of("notification params a boolean", "{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":true}", -32602, "invalid_params", null),
                Arguments.of("id an object", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id an array", "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id a boolean", "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id a fraction", "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id 1.0 (fraction syntax)", "{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id in exponent form", "{\"jsonrpc\":\"2.0\",\"id\":1e2,\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("id null on a request", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"a\"}", -32600, "invalid_id", null),
                Arguments.of("result with null id", "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}", -32600, "invalid_id", null),
                Arguments.of("response with an object id", "{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{}}", -32600, "invalid_id", null),
                Arguments.of("response with both", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"m\"}}", -32600, "invalid_response", "1"),
                Arguments.of("response with neither", "{\"jsonrpc\":\"2.0\",\"id\":1}", -32600, "invalid_response", "1"),
                Arguments.of("error without code", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"message\":\"m\"}}", -32600, "invalid_response", "1"),
                Arguments.of("error code a fraction", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1.5,\"message\":\"m\"}}", -32600, "invalid_response", "1"),
                Arguments.of("error code a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"-32600\",\"message\":\"m\"}}", -32600, "invalid_response", "1"),
                Arguments.of("error code beyond int", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":4294967296,\"message\":\"m\"}}", -32600, "invalid_response", "1"),
                Arguments.of("error without message", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1}}", -32600, "invalid_response", "1"),
                Arguments.of("error message not a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1,\"message\":2}}", -32600, "invalid_response", "1"),
                Arguments.of("error a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"boom\"}", -32600, "invalid_response", "1"),
                Arguments.of("empty batch", "[]", -32600, "empty_batch", null),
                Arguments.of("integer id beyond 2^53 (JavaScript reads it as 2^53)", "{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"m\"}", -32600, "invalid_id", null),
                Arguments.of("integer id beyond a long", "{\"jsonrpc\":\"2.0\",\"id\":-123456789012345678901234567890,\"method\":\"m\"}", -32600, "invalid_id", null),
                Arguments.of("response id beyond 2^53", "{\"jsonrpc\":\"2.0\",\"id\":-9007199254740992,\"result\":{}}", -32600, "invalid_id", null),
                Arguments.of("string id of 1,025 characters", "{\"jsonrpc\":\"2.0\",\"id\":\"" + "i".repeat(1025) + "\",\"method\":\"m\"}", -32600, "invalid_id", null),
                Arguments.of("string id of 1,025 characters outside the BMP", "{\"jsonrpc\":\"2.0\",\"id\":\"" + "\uD83D\uDE00".repeat(1025) + "\",\"method\":\"m\"}", -32600, "invalid_id", null),
                Arguments.of("string id of 3 MiB", "{\"jsonrpc\":\"2.0\",\"id\":\"" + "i".repeat(3 << 20) + "\",\"method\":\"m\"}", -32600, "invalid_id", null),
                Arguments.of("response id of 1,025 characters", "{\"jsonrpc\":\"2.0\",\"id\":\"" + "i".repeat(1025) + "\",\"result\":{}}", -32600, "invalid_id", null),
                Arguments.of("batch: two requests with one id", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"b\"}]", -32600, "duplicate_id", null),
                Arguments.of("batch: two responses with one id", "[{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}},{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":1,\"message\":\"m\"}}]", -32600, "duplicate_id", null),
                Arguments.of("batch with a scalar", "[{\"jsonrpc\":\"2.0\",\"method\":\"n\"},1]", -32600, "not_jsonrpc", null),
                Arguments.of("batch with a nested batch", "[[{\"jsonrpc\":\"2.0\",\"method\":\"n\"}]]", -32600, "not_jsonrpc", null),
                Arguments.of("batch: the failing element's id is echoed",
                        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ok\"},{\"jsonrpc\":\"2.0\",\"id\":\"b2\",\"method\":5}]", -32600, "invalid_method", "\"b2\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithCodeReasonAndRecoveredId(String name, String body, int code, String reason, String id) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (reason.equals("invalid_utf8")) {
            bytes[body.indexOf('\u0000')] = (byte) 0xC0; // a lone lead byte: never valid UTF-8
        }
        byte[] input = bytes;
        assertThatThrownBy(() -> parser.parse(input))
                .isInstanceOfSatisfying(JsonRpcRejection.class, e -> {
                    assertThat(e.jsonRpcCode()).as("code").isEqualTo(code);
                    assertThat(e.reason()).as("reason").isEqualTo(reason);
                    assertThat(e.id() == null ? null : e.id().toString()).as("echo id").isEqualTo(id);
                });
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("request, integer id, no params", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
                        new JsonRpcRequest(JsonRpcId.of(1), "ping", null)),
                Arguments.of("request, string id", "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"ping\"}",
                        new JsonRpcRequest(JsonRpcId.of("abc"), "ping", null)),
                Arguments.of("request, empty string id", "{\"jsonrpc\":\"2.0\",\"id\":\"\",\"method\":\"ping\"}",
                        new JsonRpcRequest(JsonRpcId.of(""), "ping", null)),
                Arguments.of("request, negative id", "{\"jsonrpc\":\"2.0\",\"id\":-5,\"method\":\"ping\"}",
                        new JsonRpcRequest(JsonRpcId.of(-5), "ping", null)),
                Arguments.of("request, long id at the largest safe integer", "{\"jsonrpc\":\"2.0\",\"id\":9007199254740991,\"method\":\"ping\"}",
                        new JsonRpcRequest(JsonRpcId.of(9007199254740991L), "ping", null)),
                Arguments.of("request, long id at the smallest safe integer", "{\"jsonrpc\":\"2.0\",\"id\":-9007199254740991,\"method\":\"ping\"}",
                        new JsonRpcRequest(JsonRpcId.of(-9007199254740991L), "ping", null)),
                Arguments.of("request, object params", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}",
                        new JsonRpcRequest(JsonRpcId.of(2), "tools/call", json("{\"name\":\"x\"}"))),
                Arguments.of("request, array params", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"sum\",\"params\":[1,2]}",
                        new JsonRpcRequest(JsonRpcId.of(2), "sum", json("[1,2]"))),
                Arguments.of("members in any order", "{\"method\":\"ping\",\"id\":3,\"jsonrpc\":\"2.0\"}",
                        new JsonRpcRequest(JsonRpcId.of(3), "ping", null)),
                Arguments.of("notification", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                        new JsonRpcNotification("notifications/initialized", null)),
                Arguments.of("notification with params", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}",
                        new JsonRpcNotification("notifications/progress", json("{\"progress\":1}"))),
                Arguments.of("result response", "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"ok\":true}}",
                        new JsonRpcResponse(JsonRpcId.of(4), json("{\"ok\":true}"), null)),
                Arguments.of("null result", "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":null}",
                        new JsonRpcResponse(JsonRpcId.of(4), json("null"), null)),
                Arguments.of("error response with data", "{\"jsonrpc\":\"2.0\",\"id\":\"e\",\"error\":{\"code\":-32601,\"message\":\"nope\",\"data\":{\"m\":\"x\"}}}",
                        new JsonRpcResponse(JsonRpcId.of("e"), null, new JsonRpcError(-32601, "nope", json("{\"m\":\"x\"}")))),
                Arguments.of("error response with null id", "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}",
                        new JsonRpcResponse(null, null, new JsonRpcError(-32700, "Parse error", null))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesSingleMessages(String name, String body, JsonRpcMessage expected) throws Exception {
        assertThat(parser.parse(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(new JsonRpcPayload.Single(expected));
    }

    @Test
    void aRequestAndAResponseOfOneBatchMayShareAnId() throws Exception {
        // Ids are per direction: a client answers the server's request 1 in the batch that carries its own request 1.
        JsonRpcPayload payload = parser.parse(("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}},{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"ping\"}]")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(payload).isInstanceOf(JsonRpcPayload.Batch.class);
    }

    @Test
    void batchKeepsEveryKindInOrder() throws Exception {
        JsonRpcPayload payload = parser.parse(("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"ok\":true}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}]").getBytes(StandardCharsets.UTF_8));

        assertThat(payload).isInstanceOf(JsonRpcPayload.Batch.class);
        assertThat(payload.messages()).containsExactly(
                new JsonRpcRequest(JsonRpcId.of("a"), "tools/call", json("{\"name\":\"x\"}")),
                new JsonRpcNotification("notifications/initialized", null),
                new JsonRpcResponse(JsonRpcId.of(3), json("{\"ok\":true}"), null),
                new JsonRpcResponse(null, null, new JsonRpcError(-32700, "Parse error", null)));
    }

    @Test
    void batchOfOneIsStillABatch() throws Exception {
        assertThat(parser.parse("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new JsonRpcPayload.Batch(List.of(new JsonRpcRequest(JsonRpcId.of(1), "ping", null))));
    }

    @Test
    void toMessageReadsAnAlreadyParsedNodeSuchAsSseData() throws Exception {
        JsonNode node = new StrictJsonParser().parse("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"sampling/createMessage\",\"params\":{}}"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(parser.toMessage(node)).isEqualTo(new JsonRpcRequest(JsonRpcId.of(9), "sampling/createMessage", json("{}")));
    }

    @Test
    void toMessageRejectsAnArray() throws Exception {
        assertThatThrownBy(() -> parser.toMessage(json("[]")))
                .isInstanceOfSatisfying(JsonRpcRejection.class, e -> assertThat(e.reason()).isEqualTo(JsonRpcRejection.NOT_JSONRPC));
    }

    @Test
    void rejectionMessageDoesNotEchoAHugeMemberName() {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"" + "x".repeat(10_000) + "\":1}";
        assertThatThrownBy(() -> parser.parse(body.getBytes(StandardCharsets.UTF_8)))
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(100));
    }

    @Test
    void aStringIdOfExactly1024CharactersIsAnId() throws Exception {
        String ascii = "i".repeat(JsonRpcId.MAX_STRING_LENGTH);
        String astral = "\uD83D\uDE00".repeat(JsonRpcId.MAX_STRING_LENGTH); // 2,048 chars, 1,024 characters
        for (String id : List.of(ascii, astral)) {
            assertThat(parser.parse(("{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"m\"}").getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(new JsonRpcPayload.Single(new JsonRpcRequest(JsonRpcId.of(id), "m", null)));
        }
    }

    @Test
    void idToStringIsTheRawJsonText() throws Exception {
        assertThat(JsonRpcId.of(7).toString()).isEqualTo("7");
        assertThat(JsonRpcId.of("a\"b").toString()).isEqualTo("\"a\\\"b\"");
        assertThat(new JsonRpcId(json("9007199254740991")).toString()).isEqualTo("9007199254740991");
    }

    static Stream<Arguments> illegalRecords() {
        return Stream.of(
                Arguments.of("id holding JSON null", (Runnable) () -> new JsonRpcId(json("null"))),
                Arguments.of("id holding an object", (Runnable) () -> new JsonRpcId(json("{}"))),
                Arguments.of("id holding a fraction", (Runnable) () -> new JsonRpcId(json("1.5"))),
                Arguments.of("id beyond 2^53", (Runnable) () -> new JsonRpcId(json("9007199254740992"))),
                Arguments.of("id beyond a long", (Runnable) () -> new JsonRpcId(json("12345678901234567890"))),
                Arguments.of("string id of 1,025 characters", (Runnable) () -> JsonRpcId.of("i".repeat(1025))),
                Arguments.of("request without id", (Runnable) () -> new JsonRpcRequest(null, "ping", null)),
                Arguments.of("request with scalar params", (Runnable) () -> new JsonRpcRequest(JsonRpcId.of(1), "ping", json("1"))),
                Arguments.of("notification without method", (Runnable) () -> new JsonRpcNotification(null, null)),
                Arguments.of("response with result and error", (Runnable) () -> new JsonRpcResponse(JsonRpcId.of(1), json("{}"), new JsonRpcError(1, "m", null))),
                Arguments.of("response with neither", (Runnable) () -> new JsonRpcResponse(JsonRpcId.of(1), null, null)),
                Arguments.of("result response with null id", (Runnable) () -> new JsonRpcResponse(null, json("{}"), null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illegalRecords")
    void recordsRefuseWhatTheParserWouldRefuse(String name, Runnable construct) {
        assertThatThrownBy(construct::run).isInstanceOf(IllegalArgumentException.class);
    }

    static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
