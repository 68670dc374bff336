package dev.tollgate.protocols.mcp;

import java.util.Set;

/** MCP 2025-11-25 method names the gateway treats specially. */
public final class McpMethods {
    public static final String INITIALIZE = "initialize";
    public static final String PING = "ping";
    public static final String TOOLS_LIST = "tools/list";
    public static final String TOOLS_CALL = "tools/call";
    public static final String RESOURCES_LIST = "resources/list";
    public static final String RESOURCES_READ = "resources/read";
    public static final String PROMPTS_LIST = "prompts/list";
    public static final String PROMPTS_GET = "prompts/get";
    public static final String SAMPLING_CREATE_MESSAGE = "sampling/createMessage";
    public static final String ELICITATION_CREATE = "elicitation/create";
    public static final String ROOTS_LIST = "roots/list";
    public static final String NOTIFICATIONS_INITIALIZED = "notifications/initialized";
    public static final String NOTIFICATIONS_CANCELLED = "notifications/cancelled";
    public static final String NOTIFICATIONS_PROGRESS = "notifications/progress";

    private static final Set<String> SERVER_TO_CLIENT_REQUESTS = Set.of(SAMPLING_CREATE_MESSAGE, ELICITATION_CREATE, ROOTS_LIST, PING);

    private McpMethods() {
    }

    /** Requests a server sends to the client over an SSE stream (answered by a client POST). */
    public static boolean isServerToClientRequest(String method) {
        return SERVER_TO_CLIENT_REQUESTS.contains(method);
    }
}
