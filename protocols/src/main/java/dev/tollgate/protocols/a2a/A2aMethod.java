package dev.tollgate.protocols.a2a;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The A2A operations, each under its 1.0 name (the one policy, spans and audit use) with the names it is
 * also sent under: the 0.3 JSON-RPC name and, for one method, the spelling of the Java SDK 1.0.0.Alpha3.
 * Both generations reach the same rules, so a rule on {@code SendMessage} also covers {@code message/send}.
 */
public enum A2aMethod {
    SEND_MESSAGE("SendMessage", "message/send"),
    SEND_STREAMING_MESSAGE("SendStreamingMessage", "message/stream"),
    GET_TASK("GetTask", "tasks/get"),
    LIST_TASKS("ListTasks", "tasks/list"),
    CANCEL_TASK("CancelTask", "tasks/cancel"),
    SUBSCRIBE_TO_TASK("SubscribeToTask", "tasks/resubscribe"),
    CREATE_PUSH_CONFIG("CreateTaskPushNotificationConfig", "tasks/pushNotificationConfig/set"),
    GET_PUSH_CONFIG("GetTaskPushNotificationConfig", "tasks/pushNotificationConfig/get"),
    LIST_PUSH_CONFIGS("ListTaskPushNotificationConfigs", "tasks/pushNotificationConfig/list", "ListTaskPushNotificationConfig"),
    DELETE_PUSH_CONFIG("DeleteTaskPushNotificationConfig", "tasks/pushNotificationConfig/delete"),
    GET_EXTENDED_CARD("GetExtendedAgentCard", "agent/getAuthenticatedExtendedCard");

    private static final Map<String, A2aMethod> BY_WIRE_NAME = new HashMap<>();

    static {
        for (A2aMethod method : values()) {
            for (String name : method.wireNames) {
                BY_WIRE_NAME.put(name, method);
            }
        }
    }

    private final String canonicalName;
    private final String legacyName;
    private final List<String> wireNames;

    A2aMethod(String canonicalName, String legacyName, String... aliases) {
        this.canonicalName = canonicalName;
        this.legacyName = legacyName;
        java.util.ArrayList<String> names = new java.util.ArrayList<>(List.of(canonicalName, legacyName));
        names.addAll(List.of(aliases));
        this.wireNames = List.copyOf(names);
    }

    /** The 1.0 name ({@code SendMessage}): what policy's {@code method:} matches. */
    public String canonicalName() {
        return canonicalName;
    }

    /** The 0.3 JSON-RPC name ({@code message/send}). */
    public String legacyName() {
        return legacyName;
    }

    /** True when the answer is an SSE stream of events. */
    public boolean streams() {
        return this == SEND_STREAMING_MESSAGE || this == SUBSCRIBE_TO_TASK;
    }

    /** True for the operations that start or continue work with a message (the A2A "invoke"). */
    public boolean sendsMessage() {
        return this == SEND_MESSAGE || this == SEND_STREAMING_MESSAGE;
    }

    /** True when a name is the 0.3 one: the call then uses 0.3 shapes. */
    public boolean isLegacyName(String wireName) {
        return legacyName.equals(wireName);
    }

    /** @return the method for a JSON-RPC method name of either generation, or null when A2A has no such method */
    public static A2aMethod fromJsonRpc(String name) {
        return name == null ? null : BY_WIRE_NAME.get(name);
    }
}
