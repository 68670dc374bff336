package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class McpClassifierTest {

    private static final JsonRpcParser PARSER = new JsonRpcParser(new StrictJsonParser());

    private static JsonRpcMessage message(String json) throws JsonRpcRejection {
        return ((JsonRpcPayload.Single) PARSER.parse(json.getBytes(StandardCharsets.UTF_8))).message();
    }

    @Test
    void toolCallCarriesNameArgumentsAndMeta() throws Exception {
        McpMessage m = McpClassifier.classifyClientMessage(message(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"q\":\"x\"},\"_meta\":{\"progressToken\":7}}}"));

        assertThat(m).isInstanceOfSatisfying(McpMessage.ToolCall.class, call -> {
            assertThat(call.toolName()).isEqualTo("search");
            assertThat(call.arguments().get("q").asText()).isEqualTo("x");
            assertThat(call.meta().get("progressToken").asInt()).isEqualTo(7);
            assertThat(call.method()).isEqualTo("tools/call");
        });
    }

    @Test
    void toolCallWithoutArgumentsGetsAnEmptyObject() throws Exception {
        McpMessage m = McpClassifier.classifyClientMessage(message("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}"));

        assertThat(((McpMessage.ToolCall) m).arguments().isEmpty()).isTrue();
    }

    @Test
    void resourceReadAndPromptGetAreClassified() throws Exception {
        assertThat(McpClassifier.classifyClientMessage(message("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///etc/hosts\"}}")))
                .isEqualTo(new McpMessage.ResourceRead(dev.tollgate.protocols.jsonrpc.JsonRpcId.of(1), "file:///etc/hosts"));
        McpMessage prompt = McpClassifier.classifyClientMessage(message(
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/get\",\"params\":{\"name\":\"p\",\"arguments\":{\"a\":\"1\"}}}"));
        assertThat(((McpMessage.PromptGet) prompt).name()).isEqualTo("p");
        assertThat(((McpMessage.PromptGet) prompt).arguments().get("a").asText()).isEqualTo("1");
    }

    static Stream<Arguments> invalidParams() {
        return Stream.of(
                Arguments.of("tools/call without params", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}"),
                Arguments.of("tools/call without name", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}"),
                Arguments.of("tools/call name not a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":5}}"),
                Arguments.of("tools/call arguments an array", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":[1]}}"),
                Arguments.of("tools/call params an array", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[\"t\"]}"),
                Arguments.of("resources/read without uri", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{}}"),
                Arguments.of("prompts/get without name", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{}}"),
                Arguments.of("prompts/get non-string argument", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":\"p\",\"arguments\":{\"a\":1}}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidParams")
    void callsWhoseTargetCannotBeReadAreRejected(String name, String json) {
        assertThatThrownBy(() -> McpClassifier.classifyClientMessage(message(json)))
                .isInstanceOfSatisfying(JsonRpcRejection.class, e -> {
                    assertThat(e.jsonRpcCode()).isEqualTo(-32602);
                    assertThat(e.reason()).isEqualTo("invalid_params");
                    assertThat(e.id().asInt()).isEqualTo(1);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sampling/createMessage", "elicitation/create", "roots/list", "ping"})
    void serverToClientRequestsAreRecognisedOnTheServerStream(String method) throws Exception {
        McpMessage m = McpClassifier.classifyServerMessage(message("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"" + method + "\",\"params\":{}}"));

        assertThat(m).isInstanceOf(McpMessage.ServerRequest.class);
        assertThat(m.method()).isEqualTo(method);
        assertThat(McpMethods.isServerToClientRequest(method)).isTrue();
    }

    @Test
    void notificationsAndResponsesPassThroughClassification() throws Exception {
        assertThat(McpClassifier.classifyServerMessage(message("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}")))
                .isInstanceOf(McpMessage.Notification.class);
        McpMessage response = McpClassifier.classifyClientMessage(message("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
        assertThat(response).isInstanceOf(McpMessage.Response.class);
        assertThat(response.method()).isNull();
        assertThat(McpClassifier.classifyClientMessage(message("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")))
                .isInstanceOf(McpMessage.OtherRequest.class);
    }

    @Test
    void batchingFollowsTheProtocolRevision() {
        assertThat(McpProtocolVersions.supportsBatching(null)).isTrue();
        assertThat(McpProtocolVersions.supportsBatching("2024-11-05")).isTrue();
        assertThat(McpProtocolVersions.supportsBatching("2025-03-26")).isTrue();
        assertThat(McpProtocolVersions.supportsBatching("2025-06-18")).isFalse();
        assertThat(McpProtocolVersions.supportsBatching("2025-11-25")).isFalse();
        assertThat(McpProtocolVersions.supportsBatching("2026-07-28")).isFalse();
    }
}
