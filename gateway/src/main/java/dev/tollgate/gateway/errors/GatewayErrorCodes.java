package dev.tollgate.gateway.errors;

/**
 * JSON-RPC error codes the gateway itself emits. Standard codes where JSON-RPC defines one; otherwise the
 * implementation-defined server-error range (-32000 to -32099). -32000 matches the MCP SDKs' transport
 * errors; the upstream codes sit at -32050 because -32001..-32009 already mean other things in MCP
 * (-32002 resource not found) and A2A (-32001 task not found), and one gateway serves both.
 * The reason string in {@code error.data.reason} is the precise, stable discriminator.
 */
public final class GatewayErrorCodes {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int INVALID_PARAMS = -32602;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INTERNAL = -32603;
    /** Rejected at the HTTP layer (route, method, Host/Origin): same code the MCP SDKs use for transport errors. */
    public static final int TRANSPORT = -32000;
    /** A2A's TaskNotFoundError (A2A 1.0 and 0.3). */
    public static final int A2A_TASK_NOT_FOUND = -32001;
    /**
     * A policy denied the call. Answered with HTTP 200, like any JSON-RPC error: the transport worked, the
     * call was refused, and MCP clients surface the message to the agent.
     */
    public static final int POLICY_DENIED = -32010;
    /** MCP 2026-07-28 HeaderMismatch: a routing header (Mcp-Method, Mcp-Name, MCP-Protocol-Version) disagrees with the body. */
    public static final int HEADER_MISMATCH = -32020;
    /** The caller's AXID is missing or invalid (HTTP 401). */
    public static final int UNAUTHENTICATED = -32040;
    /** The upstream could not be reached or broke the connection. */
    public static final int UPSTREAM = -32050;
    /** The upstream did not connect or answer in time. */
    public static final int TIMEOUT = -32051;

    private GatewayErrorCodes() {
    }
}
