package dev.tollgate.protocols.mcp;

/** Streamable HTTP header names (case-insensitive on the wire). */
public final class McpHeaders {
    public static final String SESSION_ID = "Mcp-Session-Id";
    public static final String PROTOCOL_VERSION = "MCP-Protocol-Version";
    public static final String LAST_EVENT_ID = "Last-Event-ID";

    private McpHeaders() {
    }
}
