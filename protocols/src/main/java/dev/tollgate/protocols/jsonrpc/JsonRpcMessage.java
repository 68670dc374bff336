package dev.tollgate.protocols.jsonrpc;

/** One JSON-RPC 2.0 message: a request (has an id), a notification (no id) or a response. */
public sealed interface JsonRpcMessage permits JsonRpcRequest, JsonRpcNotification, JsonRpcResponse {
}
