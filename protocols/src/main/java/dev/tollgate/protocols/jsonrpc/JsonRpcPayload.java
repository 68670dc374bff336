package dev.tollgate.protocols.jsonrpc;

import java.util.List;

/** A whole HTTP body: one message, or a batch (a JSON array of messages). */
public sealed interface JsonRpcPayload permits JsonRpcPayload.Single, JsonRpcPayload.Batch {

    List<JsonRpcMessage> messages();

    record Single(JsonRpcMessage message) implements JsonRpcPayload {
        @Override
        public List<JsonRpcMessage> messages() {
            return List.of(message);
        }
    }

    record Batch(List<JsonRpcMessage> messages) implements JsonRpcPayload {
        public Batch {
            messages = List.copyOf(messages);
        }
    }
}
