package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import java.util.List;

/**
 * What an MCP server sent on the way back (a JSON answer, or one SSE event's data), read as strictly as a
 * client's request: either every message it holds, or why it cannot be read. A message the gateway cannot
 * read is never relayed, since a lenient client could still act on it (a duplicate {@code method} key read
 * last-wins by {@code JSON.parse} turns a {@code ping} into a {@code sampling/createMessage}).
 */
public sealed interface ServerMessage {

    /**
     * @param root     the parsed tree (mutable: a filter may rewrite it and serialize it again)
     * @param messages the JSON-RPC messages, one unless the server sent an array
     * @param array    true when the server sent a JSON array
     */
    record Read(JsonNode root, List<JsonRpcMessage> messages, boolean array) implements ServerMessage {
        public Read {
            messages = List.copyOf(messages);
        }
    }

    /**
     * @param reason        stable reason (the JSON or JSON-RPC rejection's code, or {@code batch_from_server})
     * @param detail        a short explanation for logs and errors
     * @param salvagedId    the id a lenient (last-key-wins) reading finds, when it is a valid JSON-RPC id; else null
     * @param looksLikeRequest true when that lenient reading finds a method and an id: the server awaits an answer
     */
    record Unreadable(String reason, String detail, JsonNode salvagedId, boolean looksLikeRequest) implements ServerMessage {
    }
}
