package dev.tollgate.protocols.mcp;

import java.util.Set;

/** MCP method names (requests and notifications) the gateway refers to: 2025-11-25, and what 2026-07-28 adds. */
public final class McpMethods {
    // Client to server requests.
    public static final String INITIALIZE = "initialize";
    public static final String PING = "ping";
    public static final String TOOLS_LIST = "tools/list";
    public static final String TOOLS_CALL = "tools/call";
    public static final String RESOURCES_LIST = "resources/list";
    public static final String RESOURCES_TEMPLATES_LIST = "resources/templates/list";
    public static final String RESOURCES_READ = "resources/read";
    public static final String RESOURCES_SUBSCRIBE = "resources/subscribe";
    public static final String RESOURCES_UNSUBSCRIBE = "resources/unsubscribe";
    public static final String PROMPTS_LIST = "prompts/list";
    public static final String PROMPTS_GET = "prompts/get";
    public static final String COMPLETION_COMPLETE = "completion/complete";
    public static final String LOGGING_SET_LEVEL = "logging/setLevel";
    /** Experimental in 2025-11-25; {@code tasks/result} returns a deferred {@code tools/call} result. */
    public static final String TASKS_GET = "tasks/get";
    public static final String TASKS_RESULT = "tasks/result";
    public static final String TASKS_CANCEL = "tasks/cancel";
    public static final String TASKS_LIST = "tasks/list";
    /** 2026-07-28 (Tasks extension): the client sends a task the input it waits on. */
    public static final String TASKS_UPDATE = "tasks/update";
    /** 2026-07-28: capability negotiation without a session; a client that gets an error falls back to initialize. */
    public static final String SERVER_DISCOVER = "server/discover";
    /** 2026-07-28: the stream of list-changed and resource-updated notifications that replaces the GET stream. */
    public static final String SUBSCRIPTIONS_LISTEN = "subscriptions/listen";

    // Server to client requests (PING goes both ways).
    public static final String SAMPLING_CREATE_MESSAGE = "sampling/createMessage";
    public static final String ELICITATION_CREATE = "elicitation/create";
    public static final String ROOTS_LIST = "roots/list";

    // Notifications.
    public static final String NOTIFICATIONS_INITIALIZED = "notifications/initialized";
    public static final String NOTIFICATIONS_CANCELLED = "notifications/cancelled";
    public static final String NOTIFICATIONS_PROGRESS = "notifications/progress";
    public static final String NOTIFICATIONS_ROOTS_LIST_CHANGED = "notifications/roots/list_changed";
    public static final String NOTIFICATIONS_MESSAGE = "notifications/message";
    public static final String NOTIFICATIONS_RESOURCES_UPDATED = "notifications/resources/updated";
    public static final String NOTIFICATIONS_TOOLS_LIST_CHANGED = "notifications/tools/list_changed";
    public static final String NOTIFICATIONS_PROMPTS_LIST_CHANGED = "notifications/prompts/list_changed";
    public static final String NOTIFICATIONS_RESOURCES_LIST_CHANGED = "notifications/resources/list_changed";
    public static final String NOTIFICATIONS_ELICITATION_COMPLETE = "notifications/elicitation/complete";
    public static final String NOTIFICATIONS_TASKS_STATUS = "notifications/tasks/status";

    private static final Set<String> SERVER_TO_CLIENT_REQUESTS = Set.of(SAMPLING_CREATE_MESSAGE, ELICITATION_CREATE, ROOTS_LIST, PING);
    /** Requests that name a task by {@code params.taskId}: the task's creating tool is what they act on. */
    private static final Set<String> TASK_REQUESTS = Set.of(TASKS_GET, TASKS_RESULT, TASKS_CANCEL, TASKS_UPDATE);

    private McpMethods() {
    }

    /**
     * Requests a server sends to the client over an SSE stream (answered by a client POST). Worth gating:
     * sampling spends the client's model budget, URL elicitation can phish, roots disclose the file system.
     */
    public static boolean isServerToClientRequest(String method) {
        return method != null && SERVER_TO_CLIENT_REQUESTS.contains(method);
    }

    /** Whether a client request acts on one task, named by its {@code params.taskId}. */
    public static boolean isTaskRequest(String method) {
        return method != null && TASK_REQUESTS.contains(method);
    }
}
