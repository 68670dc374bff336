package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The task or context an A2A message answer (or stream event) hands its client, read as the JavaScript SDK's clients
 * (1.0 and the 0.3 compat transports) read it: the payload under {@code task}, {@code message} / {@code msg},
 * {@code statusUpdate} / {@code status_update}, {@code artifactUpdate} / {@code artifact_update} (proto JSON accepts
 * the field's original name too), or 0.3's {@code kind}-tagged object at the top; ids under their camelCase name,
 * else the snake_case one; any scalar id as {@code String(value)} ({@code 9} is task {@code "9"}).
 *
 * <p>Where the client could read another id than the gateway, the answer is unreadable and is not relayed: two places
 * or spellings naming different ids (the client takes the first by its own precedence), or an id that is an object,
 * a list or a number {@code String} would write otherwise than Java.
 */
final class A2aAnswerIds {

    enum Kind { TASK, CONTEXT }

    /** The payload members a client's response reader tries, in either spelling. */
    private static final List<String> PAYLOADS = List.of("task", "message", "msg", "statusUpdate", "status_update",
            "artifactUpdate", "artifact_update");
    /** The largest integer a JavaScript number holds exactly (2^53): beyond it, String(value) is of another number. */
    private static final long MAX_EXACT = 1L << 53;

    private A2aAnswerIds() {
    }

    /** The id of that kind the answer names, or null when it names none. */
    static String named(JsonNode answer, Kind kind) throws A2aTaskLearner.UnreadableAnswer {
        String found = null;
        for (String payload : PAYLOADS) {
            JsonNode object = answer.get(payload);
            if (object != null && object.isObject()) {
                found = agree(found, idIn(object, "task".equals(payload), kind), kind);
            }
        }
        // 0.3 JSON-RPC: the task, message or update itself, tagged with kind.
        found = agree(found, idIn(answer, "task".equals(answer.path("kind").textValue()), kind), kind);
        return found;
    }

    private static String idIn(JsonNode object, boolean isTask, Kind kind) throws A2aTaskLearner.UnreadableAnswer {
        if (kind == Kind.CONTEXT) {
            return spelled(object, "contextId", "context_id");
        }
        return isTask ? value(object, "id") : spelled(object, "taskId", "task_id");
    }

    /** camelCase, else snake_case, as the client reads them; both present and different is refused. */
    static String spelled(JsonNode object, String camel, String snake) throws A2aTaskLearner.UnreadableAnswer {
        String first = value(object, camel);
        String second = value(object, snake);
        if (first != null && second != null && !first.equals(second)) {
            throw new A2aTaskLearner.UnreadableAnswer("the answer names " + camel + " '" + first + "' and " + snake + " '" + second + "'");
        }
        return first != null ? first : second;
    }

    private static String agree(String found, String next, Kind kind) throws A2aTaskLearner.UnreadableAnswer {
        if (found != null && next != null && !found.equals(next)) {
            throw new A2aTaskLearner.UnreadableAnswer("the answer names two " + (kind == Kind.TASK ? "tasks" : "contexts")
                    + ", '" + found + "' and '" + next + "'");
        }
        return found != null ? found : next;
    }

    /** {@code String(value)} of a member, null when absent, null or empty (the client's "no id"). */
    static String value(JsonNode object, String name) throws A2aTaskLearner.UnreadableAnswer {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue().isEmpty() ? null : value.textValue();
        }
        if (value.isBoolean()) {
            return value.asText();
        }
        if (value.isIntegralNumber() && value.canConvertToLong() && Math.abs(value.longValue()) <= MAX_EXACT) {
            return Long.toString(value.longValue());
        }
        throw new A2aTaskLearner.UnreadableAnswer("the answer's " + name + " is " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                + " " + abbreviated(value) + ", which a client reads as some text the gateway cannot tell");
    }

    private static String abbreviated(JsonNode value) {
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
