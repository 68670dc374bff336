package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocols.jsonrpc.JsonRpcId;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;

/**
 * An MCP message classified by what the gateway decides on. {@link #method()} is null for responses.
 */
public sealed interface McpMessage {

    String method();

    /** {@code tools/call}: arguments is an empty object when the client sent none. */
    record ToolCall(JsonRpcId id, String toolName, ObjectNode arguments, JsonNode meta) implements McpMessage {
        @Override
        public String method() {
            return McpMethods.TOOLS_CALL;
        }
    }

    record ResourceRead(JsonRpcId id, String uri) implements McpMessage {
        @Override
        public String method() {
            return McpMethods.RESOURCES_READ;
        }
    }

    /** {@code prompts/get}: arguments is a string map, empty when absent. */
    record PromptGet(JsonRpcId id, String name, ObjectNode arguments) implements McpMessage {
        @Override
        public String method() {
            return McpMethods.PROMPTS_GET;
        }
    }

    /** A server-to-client request (sampling, elicitation, roots, ping) seen on a server's SSE stream. */
    record ServerRequest(JsonRpcId id, String method, JsonNode params) implements McpMessage {
    }

    record OtherRequest(JsonRpcId id, String method, JsonNode params) implements McpMessage {
    }

    record Notification(String method, JsonNode params) implements McpMessage {
    }

    record Response(JsonRpcResponse response) implements McpMessage {
        @Override
        public String method() {
            return null;
        }
    }
}
