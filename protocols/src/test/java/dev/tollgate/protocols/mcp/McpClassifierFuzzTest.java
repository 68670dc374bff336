package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcErrorCodes;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;

/**
 * MCP classification of every message arbitrary bytes parse to. A client message is classified or refused
 * with -32602 {@code invalid_params} (only a call whose target cannot be read is refused), never another
 * exception; what is classified names exactly the target the body names (the tool, the URI, the prompt), so
 * policy decides on what the upstream will run. A server message is always classified, and a request is a
 * {@link McpMessage.ServerRequest} exactly when MCP defines it as server-to-client.
 * Seeds: {@code McpClassifierFuzzTestInputs/classifiesWhatTheBodyNames/}.
 */
class McpClassifierFuzzTest {

    private static final JsonRpcParser PARSER = new JsonRpcParser(new StrictJsonParser());

    @FuzzTest
    void classifiesWhatTheBodyNames(byte[] body) {
        JsonRpcPayload payload;
        try {
            payload = PARSER.parse(body);
        } catch (JsonRpcRejection e) {
            return;
        }
        for (JsonRpcMessage message : payload.messages()) {
            checkClient(message);
            checkServer(message);
        }
    }

    private static void checkClient(JsonRpcMessage message) {
        McpMessage classified;
        try {
            classified = McpClassifier.classifyClientMessage(message);
        } catch (JsonRpcRejection e) {
            assertThat(e.reason()).isEqualTo(JsonRpcRejection.INVALID_PARAMS);
            assertThat(e.jsonRpcCode()).isEqualTo(JsonRpcErrorCodes.INVALID_PARAMS);
            assertThat(message).isInstanceOf(JsonRpcRequest.class);
            JsonRpcRequest request = (JsonRpcRequest) message;
            assertThat(request.method()).isIn(McpMethods.TOOLS_CALL, McpMethods.RESOURCES_READ, McpMethods.PROMPTS_GET);
            assertThat(e.id()).isEqualTo(request.id().value());
            return;
        }
        if (message instanceof JsonRpcRequest request) {
            JsonNode params = request.params();
            switch (request.method()) {
                case McpMethods.TOOLS_CALL -> {
                    McpMessage.ToolCall call = (McpMessage.ToolCall) classified;
                    assertThat(call.toolName()).isNotEmpty().isEqualTo(params.get("name").textValue());
                    assertThat(call.id()).isEqualTo(request.id());
                    JsonNode arguments = params.get("arguments");
                    if (arguments != null && !arguments.isNull()) {
                        assertThat(call.arguments()).isSameAs(arguments);
                    } else {
                        assertThat(call.arguments().isEmpty()).isTrue();
                    }
                }
                case McpMethods.RESOURCES_READ ->
                        assertThat(((McpMessage.ResourceRead) classified).uri()).isNotEmpty().isEqualTo(params.get("uri").textValue());
                case McpMethods.PROMPTS_GET -> {
                    McpMessage.PromptGet get = (McpMessage.PromptGet) classified;
                    assertThat(get.name()).isNotEmpty().isEqualTo(params.get("name").textValue());
                    get.arguments().forEach(value -> assertThat(value.isTextual()).isTrue());
                }
                default -> assertThat(classified).isEqualTo(new McpMessage.OtherRequest(request.id(), request.method(), params));
            }
            assertThat(classified.method()).isEqualTo(request.method());
        } else if (message instanceof JsonRpcNotification notification) {
            assertThat(classified).isEqualTo(new McpMessage.Notification(notification.method(), notification.params()));
        } else {
            assertThat(classified).isEqualTo(new McpMessage.Response((JsonRpcResponse) message));
        }
    }

    private static void checkServer(JsonRpcMessage message) {
        McpMessage classified = McpClassifier.classifyServerMessage(message);
        if (message instanceof JsonRpcRequest request) {
            assertThat(classified instanceof McpMessage.ServerRequest).isEqualTo(McpMethods.isServerToClientRequest(request.method()));
            assertThat(classified.method()).isEqualTo(request.method());
        }
    }
}
