package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerMessageReaderTest {

    private final ServerMessageReader reader = new ServerMessageReader(new JsonRpcParser(new StrictJsonParser()));

    static Stream<Arguments> unreadable() {
        return Stream.of(
                // name, data, reason, salvaged id (JSON text or null), looks like a request
                Arguments.of("duplicate method: last-wins readers see sampling", "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"ping\",\"method\":\"sampling/createMessage\"}",
                        "duplicate_key", "\"s\"", true),
                Arguments.of("duplicate id: the id a last-wins reader answers to", "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"roots/list\"}",
                        "duplicate_key", "2", true),
                Arguments.of("duplicate result in a response", "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{},\"result\":{\"x\":1}}",
                        "duplicate_key", "3", false),
                Arguments.of("a thousand-digit number", "{\"jsonrpc\":\"2.0\",\"id\":\"n\",\"method\":\"sampling/createMessage\",\"params\":{\"n\":1" + "0".repeat(1200) + "}}",
                        "invalid_json", "\"n\"", true),
                Arguments.of("an array of messages", "[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"roots/list\"}]",
                        ServerMessageReader.ARRAY_NOT_ALLOWED, null, false),
                Arguments.of("not JSON at all", "event: nonsense", "invalid_json", null, false),
                Arguments.of("JSON that is not JSON-RPC", "{\"hello\":1}", "not_jsonrpc", null, false),
                Arguments.of("an unpaired surrogate", "{\"jsonrpc\":\"2.0\",\"id\":\"u\",\"method\":\"sampling/createMessage\",\"params\":{\"t\":\"\\ud800\"}}",
                        "lone_surrogate", "\"u\"", true),
                Arguments.of("an object id", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"roots/list\"}", "invalid_id", null, false),
                // Review BS: MCP results and params are objects; anything else is not relayed unread.
                Arguments.of("a string result", "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":\"AKIAIOSFODNN7EXAMPLE\"}",
                        ServerMessageReader.NON_OBJECT_RESULT, "5", false),
                Arguments.of("an array result", "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":[\"x\"]}", ServerMessageReader.NON_OBJECT_RESULT, "5", false),
                Arguments.of("a number result", "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":1}", ServerMessageReader.NON_OBJECT_RESULT, "5", false),
                Arguments.of("a true result", "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":true}", ServerMessageReader.NON_OBJECT_RESULT, "5", false),
                Arguments.of("a null result", "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":null}", ServerMessageReader.NON_OBJECT_RESULT, "5", false),
                Arguments.of("array params on a notification", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":[\"x\"]}",
                        ServerMessageReader.NON_OBJECT_PARAMS, null, false),
                Arguments.of("array params on a server request", "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"sampling/createMessage\",\"params\":[\"x\"]}",
                        ServerMessageReader.NON_OBJECT_PARAMS, "\"s\"", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadable")
    void unreadableMessagesSayWhyAndWhatIdALenientClientWouldAnswer(String name, String data, String reason, String id, boolean request) {
        ServerMessage read = reader.read(data.getBytes(StandardCharsets.UTF_8), false);

        assertThat(read).isInstanceOf(ServerMessage.Unreadable.class);
        ServerMessage.Unreadable why = (ServerMessage.Unreadable) read;
        assertThat(why.reason()).isEqualTo(reason);
        assertThat(why.salvagedId() == null ? null : why.salvagedId().toString()).isEqualTo(id);
        assertThat(why.looksLikeRequest()).isEqualTo(request);
    }

    @Test
    void readsEachKindOfMessage() {
        assertThat(messageOf("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"sampling/createMessage\",\"params\":{}}")).isInstanceOf(JsonRpcRequest.class);
        assertThat(messageOf("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}")).isInstanceOf(JsonRpcNotification.class);
        assertThat(messageOf("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}")).isInstanceOf(JsonRpcResponse.class);
    }

    @Test
    void arraysAreReadOnlyWhereAllowed() {
        ServerMessage read = reader.read("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}},{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}]".getBytes(StandardCharsets.UTF_8), true);

        assertThat(read).isInstanceOfSatisfying(ServerMessage.Read.class, r -> {
            assertThat(r.array()).isTrue();
            assertThat(r.messages()).hasSize(2);
        });
        assertThat(reader.read("[]".getBytes(StandardCharsets.UTF_8), true)).isInstanceOf(ServerMessage.Unreadable.class);
    }

    private Object messageOf(String data) {
        ServerMessage read = reader.read(data.getBytes(StandardCharsets.UTF_8), false);
        assertThat(read).isInstanceOf(ServerMessage.Read.class);
        return ((ServerMessage.Read) read).messages().get(0);
    }
}
