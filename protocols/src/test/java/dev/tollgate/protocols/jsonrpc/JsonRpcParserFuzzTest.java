package dev.tollgate.protocols.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import java.io.IOException;
import java.util.Map;

/**
 * JSON-RPC parsing of arbitrary bytes: a payload or a {@link JsonRpcRejection} whose reason is one of the
 * documented ones and always comes with the same JSON-RPC code; never another exception. Whatever is
 * accepted is valid JSON for the strict parser too, and every message, written back out from its record,
 * parses to an equal record. Seeds: {@code JsonRpcParserFuzzTestInputs/parsesOrRejectsWithAKnownReason/}.
 */
class JsonRpcParserFuzzTest {

    private static final JsonRpcParser PARSER = new JsonRpcParser(new StrictJsonParser());
    private static final ObjectMapper WRITER = new ObjectMapper();

    /** Every reason the parser may give, with the one code it always comes with. */
    static final Map<String, Integer> CODE_BY_REASON = Map.ofEntries(
            Map.entry(JsonRpcRejection.INVALID_JSON, JsonRpcErrorCodes.PARSE_ERROR),
            Map.entry(JsonRpcRejection.INVALID_UTF8, JsonRpcErrorCodes.PARSE_ERROR),
            Map.entry(JsonRpcRejection.DUPLICATE_KEY, JsonRpcErrorCodes.PARSE_ERROR),
            Map.entry(JsonRpcRejection.NESTING_TOO_DEEP, JsonRpcErrorCodes.PARSE_ERROR),
            Map.entry(JsonRpcRejection.EMPTY_BODY, JsonRpcErrorCodes.PARSE_ERROR),
            Map.entry(JsonRejection.Reason.LONE_SURROGATE.code(), JsonRpcErrorCodes.PARSE_ERROR),
            Map.entry(JsonRpcRejection.NOT_JSONRPC, JsonRpcErrorCodes.INVALID_REQUEST),
            Map.entry(JsonRpcRejection.INVALID_ID, JsonRpcErrorCodes.INVALID_REQUEST),
            Map.entry(JsonRpcRejection.INVALID_METHOD, JsonRpcErrorCodes.INVALID_REQUEST),
            Map.entry(JsonRpcRejection.INVALID_RESPONSE, JsonRpcErrorCodes.INVALID_REQUEST),
            Map.entry(JsonRpcRejection.EMPTY_BATCH, JsonRpcErrorCodes.INVALID_REQUEST),
            Map.entry(JsonRpcRejection.INVALID_PARAMS, JsonRpcErrorCodes.INVALID_PARAMS));

    @FuzzTest
    void parsesOrRejectsWithAKnownReason(byte[] body) throws IOException {
        JsonRpcPayload payload;
        try {
            payload = PARSER.parse(body);
        } catch (JsonRpcRejection e) {
            assertThat(CODE_BY_REASON).containsKey(e.reason());
            assertThat(e.jsonRpcCode()).as("code for " + e.reason()).isEqualTo(CODE_BY_REASON.get(e.reason()));
            assertThat(e.id() == null || JsonRpcId.isValid(e.id())).as("echoed id is a valid id").isTrue();
            return;
        }
        try {
            new StrictJsonParser().parse(body);
        } catch (JsonRejection e) {
            throw new AssertionError("JSON-RPC accepted what the JSON parser refuses: " + e.reason(), e);
        }
        assertThat(payload.messages()).isNotEmpty();
        for (JsonRpcMessage message : payload.messages()) {
            assertRoundTrips(message);
        }
    }

    private static void assertRoundTrips(JsonRpcMessage message) throws IOException {
        byte[] written = WRITER.writeValueAsBytes(write(message));
        JsonRpcPayload again;
        try {
            again = PARSER.parse(written);
        } catch (JsonRpcRejection e) {
            throw new AssertionError("message written back out is refused (" + e.reason() + "): " + new String(written, java.nio.charset.StandardCharsets.UTF_8), e);
        }
        assertThat(again).isInstanceOf(JsonRpcPayload.Single.class);
        assertThat(again.messages().get(0)).isEqualTo(message);
    }

    static ObjectNode write(JsonRpcMessage message) {
        ObjectNode out = WRITER.createObjectNode().put("jsonrpc", "2.0");
        if (message instanceof JsonRpcRequest r) {
            out.set("id", r.id().value());
            out.put("method", r.method());
            if (r.params() != null) {
                out.set("params", r.params());
            }
        } else if (message instanceof JsonRpcNotification n) {
            out.put("method", n.method());
            if (n.params() != null) {
                out.set("params", n.params());
            }
        } else {
            JsonRpcResponse r = (JsonRpcResponse) message;
            out.set("id", r.id() == null ? WRITER.nullNode() : r.id().value());
            if (r.error() == null) {
                out.set("result", r.result());
            } else {
                ObjectNode error = out.putObject("error").put("code", r.error().code()).put("message", r.error().message());
                if (r.error().data() != null) {
                    error.set("data", r.error().data());
                }
            }
        }
        return out;
    }
}
