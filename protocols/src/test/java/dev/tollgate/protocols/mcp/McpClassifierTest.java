package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcError;
import dev.tollgate.protocols.jsonrpc.JsonRpcId;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class McpClassifierTest {

    private static final JsonRpcParser PARSER = new JsonRpcParser(new StrictJsonParser());
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> clientMessages() {
        return Stream.of(
                Arguments.of("tools/call with name, arguments and _meta",
                        request(1, "tools/call", "{\"name\":\"search\",\"arguments\":{\"q\":\"x\"},\"_meta\":{\"progressToken\":7}}"),
                        new McpMessage.ToolCall(JsonRpcId.of(1), "search", object("{\"q\":\"x\"}"), node("{\"progressToken\":7}"))),
                Arguments.of("tools/call without arguments gets an empty object",
                        request(1, "tools/call", "{\"name\":\"t\"}"),
                        new McpMessage.ToolCall(JsonRpcId.of(1), "t", object("{}"), null)),
                Arguments.of("tools/call with null arguments gets an empty object",
                        request(1, "tools/call", "{\"name\":\"t\",\"arguments\":null}"),
                        new McpMessage.ToolCall(JsonRpcId.of(1), "t", object("{}"), null)),
                Arguments.of("tools/call with a string id",
                        request("\"call-1\"", "tools/call", "{\"name\":\"t\",\"arguments\":{}}"),
                        new McpMessage.ToolCall(JsonRpcId.of("call-1"), "t", object("{}"), null)),
                Arguments.of("resources/read",
                        request(1, "resources/read", "{\"uri\":\"file:///etc/hosts\"}"),
                        new McpMessage.ResourceRead(JsonRpcId.of(1), "file:///etc/hosts")),
                Arguments.of("prompts/get with string arguments",
                        request(2, "prompts/get", "{\"name\":\"p\",\"arguments\":{\"a\":\"1\"}}"),
                        new McpMessage.PromptGet(JsonRpcId.of(2), "p", object("{\"a\":\"1\"}"))),
                Arguments.of("prompts/get without arguments",
                        request(2, "prompts/get", "{\"name\":\"p\"}"),
                        new McpMessage.PromptGet(JsonRpcId.of(2), "p", object("{}"))),
                Arguments.of("tools/list is another request",
                        request(3, "tools/list", null),
                        new McpMessage.OtherRequest(JsonRpcId.of(3), "tools/list", null)),
                Arguments.of("initialize is another request",
                        request(3, "initialize", "{\"protocolVersion\":\"2025-11-25\"}"),
                        new McpMessage.OtherRequest(JsonRpcId.of(3), "initialize", node("{\"protocolVersion\":\"2025-11-25\"}"))),
                Arguments.of("a server-to-client method sent by a client is just a request",
                        request(4, "sampling/createMessage", "{}"),
                        new McpMessage.OtherRequest(JsonRpcId.of(4), "sampling/createMessage", node("{}"))),
                Arguments.of("notifications/cancelled",
                        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}",
                        new McpMessage.Notification("notifications/cancelled", node("{\"requestId\":1}"))),
                Arguments.of("a client's answer to sampling is a response",
                        "{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"result\":{\"role\":\"assistant\"}}",
                        new McpMessage.Response(new JsonRpcResponse(JsonRpcId.of("s1"), node("{\"role\":\"assistant\"}"), null))),
                Arguments.of("a client's refusal of elicitation is a response",
                        "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":-1,\"message\":\"no\"}}",
                        new McpMessage.Response(new JsonRpcResponse(JsonRpcId.of(5), null, new JsonRpcError(-1, "no", null)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientMessages")
    void classifiesClientMessages(String name, String json, McpMessage expected) throws Exception {
        assertThat(McpClassifier.classifyClientMessage(message(json))).isEqualTo(expected);
    }

    static Stream<Arguments> invalidParams() {
        return Stream.of(
                Arguments.of("tools/call without params", request(1, "tools/call", null)),
                Arguments.of("tools/call without name", request(1, "tools/call", "{}")),
                Arguments.of("tools/call with an empty name", request(1, "tools/call", "{\"name\":\"\"}")),
                Arguments.of("tools/call name not a string", request(1, "tools/call", "{\"name\":5}")),
                Arguments.of("tools/call name an object", request(1, "tools/call", "{\"name\":{\"n\":\"t\"}}")),
                Arguments.of("tools/call arguments an array", request(1, "tools/call", "{\"name\":\"t\",\"arguments\":[1]}")),
                Arguments.of("tools/call arguments a string", request(1, "tools/call", "{\"name\":\"t\",\"arguments\":\"{}\"}")),
                Arguments.of("tools/call params an array", request(1, "tools/call", "[\"t\"]")),
                Arguments.of("resources/read without params", request(1, "resources/read", null)),
                Arguments.of("resources/read without uri", request(1, "resources/read", "{}")),
                Arguments.of("resources/read uri a number", request(1, "resources/read", "{\"uri\":42}")),
                Arguments.of("prompts/get without name", request(1, "prompts/get", "{}")),
                Arguments.of("prompts/get arguments an array", request(1, "prompts/get", "{\"name\":\"p\",\"arguments\":[\"a\"]}")),
                Arguments.of("prompts/get non-string argument", request(1, "prompts/get", "{\"name\":\"p\",\"arguments\":{\"a\":1}}")),
                Arguments.of("subscriptions/listen, a resource that is not a string",
                        request(1, "subscriptions/listen", "{\"notifications\":{\"resourceSubscriptions\":[\"file:///ok.txt\",{\"uri\":\"file:///vault/keys\"}]}}")),
                Arguments.of("prompts/get nested argument", request(1, "prompts/get", "{\"name\":\"p\",\"arguments\":{\"a\":{}}}")),
                // Review CI: what the Java SDK's Jackson binding reads as a reference (array-wrapped type id, coerced scalars).
                Arguments.of("completion/complete, ref array-wrapped", request(1, "completion/complete",
                        "{\"ref\":[\"ref/prompt\",{\"name\":\"p\"}],\"argument\":{\"name\":\"a\",\"value\":\"\"}}")),
                Arguments.of("completion/complete, ref a string", request(1, "completion/complete",
                        "{\"ref\":\"ref/prompt\",\"argument\":{\"name\":\"a\",\"value\":\"\"}}")),
                Arguments.of("completion/complete, ref without a type", request(1, "completion/complete",
                        "{\"ref\":{\"name\":\"p\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}")),
                Arguments.of("completion/complete, prompt name a number", request(1, "completion/complete",
                        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":123},\"argument\":{\"name\":\"a\",\"value\":\"\"}}")),
                Arguments.of("completion/complete, resource uri a boolean", request(1, "completion/complete",
                        "{\"ref\":{\"type\":\"ref/resource\",\"uri\":true},\"argument\":{\"name\":\"a\",\"value\":\"\"}}")),
                Arguments.of("resources/subscribe, uri a number", request(1, "resources/subscribe", "{\"uri\":7}")),
                Arguments.of("resources/unsubscribe, uri an object", request(1, "resources/unsubscribe", "{\"uri\":{\"u\":\"file:///a\"}}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidParams")
    void callsWhoseTargetCannotBeReadAreRejectedWithTheirId(String name, String json) {
        assertThatThrownBy(() -> McpClassifier.classifyClientMessage(message(json)))
                .isInstanceOfSatisfying(JsonRpcRejection.class, e -> {
                    assertThat(e.jsonRpcCode()).isEqualTo(-32602);
                    assertThat(e.reason()).isEqualTo("invalid_params");
                    assertThat(e.id().asInt()).isEqualTo(1);
                });
    }

    static Stream<Arguments> nonCanonicalUris() {
        return Stream.of(
                Arguments.of("resources/read", request(1, "resources/read", "{\"uri\":\"FILE:///secret.txt\"}")),
                Arguments.of("resources/subscribe", request(1, "resources/subscribe", "{\"uri\":\"file:///a/../secret.txt\"}")),
                Arguments.of("resources/unsubscribe", request(1, "resources/unsubscribe", "{\"uri\":\"file://localhost/secret.txt\"}")),
                Arguments.of("subscriptions/listen", request(1, "subscriptions/listen",
                        "{\"notifications\":{\"toolsListChanged\":true,\"resourceSubscriptions\":[\"file:///ok.txt\",\"file:///%2e%2e/secret.txt\"]}}")),
                Arguments.of("resources/read, invalid UTF-8", request(1, "resources/read", "{\"uri\":\"file:///a%FF.txt\"}")));
    }

    /** A URI a server would read as another text (ResourceUriForm) is refused wherever a request names a resource. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nonCanonicalUris")
    void resourceUrisServersWouldReadOtherwiseAreRefused(String name, String json) {
        assertThatThrownBy(() -> McpClassifier.classifyClientMessage(message(json)))
                .isInstanceOfSatisfying(JsonRpcRejection.class, e -> {
                    assertThat(e.jsonRpcCode()).isEqualTo(-32602);
                    assertThat(e.reason()).isEqualTo("non_canonical_uri");
                    assertThat(e.id().asInt()).isEqualTo(1);
                });
    }

    /** A completion's resource reference is a URI template the SDKs compare as written: not held to a URI's form. */
    @Test
    void completionReferencesAndCanonicalSubscriptionsAreLeftToTheServer() throws Exception {
        assertThat(McpClassifier.classifyClientMessage(message(request(1, "completion/complete",
                "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"file:///vault/{name}\"},\"argument\":{\"name\":\"name\",\"value\":\"k\"}}"))))
                .isInstanceOf(McpMessage.OtherRequest.class);
        assertThat(McpClassifier.classifyClientMessage(message(request(1, "resources/subscribe", "{\"uri\":\"file:///vault/keys\"}"))))
                .isInstanceOf(McpMessage.OtherRequest.class);
        assertThat(McpClassifier.classifyClientMessage(message(request(1, "subscriptions/listen",
                "{\"notifications\":{\"resourceSubscriptions\":[\"file:///vault/keys\",\"https://example.com/a\"]}}"))))
                .isInstanceOf(McpMessage.OtherRequest.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sampling/createMessage", "elicitation/create", "roots/list", "ping"})
    void serverToClientRequestsAreRecognisedOnTheServerStream(String method) throws Exception {
        McpMessage m = McpClassifier.classifyServerMessage(message(request("\"s\"", method, "{}")));

        assertThat(m).isEqualTo(new McpMessage.ServerRequest(JsonRpcId.of("s"), method, node("{}")));
        assertThat(m.method()).isEqualTo(method);
        assertThat(McpMethods.isServerToClientRequest(method)).isTrue();
    }

    static Stream<Arguments> serverMessages() {
        return Stream.of(
                Arguments.of("a client-only method on the server stream is another request",
                        request(1, "tools/call", "{\"name\":\"t\"}"),
                        new McpMessage.OtherRequest(JsonRpcId.of(1), "tools/call", node("{\"name\":\"t\"}"))),
                Arguments.of("server notification",
                        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}",
                        new McpMessage.Notification("notifications/progress", node("{\"progress\":1}"))),
                Arguments.of("response to a client request",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}",
                        new McpMessage.Response(new JsonRpcResponse(JsonRpcId.of(1), node("{\"tools\":[]}"), null))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverMessages")
    void classifiesServerMessages(String name, String json, McpMessage expected) throws Exception {
        assertThat(McpClassifier.classifyServerMessage(message(json))).isEqualTo(expected);
    }

    @Test
    void serverDirectionDoesNotValidateClientCallParams() throws Exception {
        assertThat(McpClassifier.classifyServerMessage(message(request(1, "tools/call", "{}")))).isInstanceOf(McpMessage.OtherRequest.class);
    }

    @Test
    void responsesHaveNoMethod() throws Exception {
        assertThat(McpClassifier.classifyClientMessage(message("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}")).method()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools/call", "tools/list", "initialize", "notifications/progress", "resources/read", ""})
    void clientMethodsAreNotServerToClientRequests(String method) {
        assertThat(McpMethods.isServerToClientRequest(method)).isFalse();
    }

    @Test
    void unknownMethodOrNullIsNotAServerToClientRequest() {
        assertThat(McpMethods.isServerToClientRequest(null)).isFalse();
    }

    private static String request(Object id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\"" + (params == null ? "" : ",\"params\":" + params) + "}";
    }

    private static JsonRpcMessage message(String json) throws JsonRpcRejection {
        return ((JsonRpcPayload.Single) PARSER.parse(json.getBytes(StandardCharsets.UTF_8))).message();
    }

    private static JsonNode node(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ObjectNode object(String json) {
        return (ObjectNode) node(json);
    }
}
