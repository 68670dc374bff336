package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;

/**
 * Reads from an A2A answer (or one stream event) which task it shows and whether that task is done, in either generation:
 * 1.0 {@code {"task": {"id", "status": {"state": "TASK_STATE_WORKING"}}}} or a status update
 * ({@code statusUpdate.taskId}), 0.3 the task itself ({@code kind: task}, {@code state: working}) or a
 * {@code status-update}. For the concurrency slot an A2A task holds while it runs (review Z: A2A tasks held none).
 */
final class A2aTaskStates {

    /** Done: no more work runs for the task. An interrupted task (input or auth required) still holds its slot. */
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "canceled", "cancelled", "rejected");

    /** A task an answer shows, and whether it is done. */
    record Seen(String taskId, boolean terminal) {
    }

    private A2aTaskStates() {
    }

    /** @return null when the answer shows no task state */
    static Seen seen(JsonNode answer) {
        if (answer == null || !answer.isObject()) {
            return null;
        }
        for (String member : new String[] {"task", "statusUpdate", "status_update"}) {
            JsonNode object = answer.get(member);
            if (object != null && object.isObject()) {
                return of(object, "task".equals(member) ? "id" : "taskId");
            }
        }
        String kind = answer.path("kind").asText("");
        if ("task".equals(kind) || answer.path("status").isObject() && answer.path("id").isTextual() && !answer.has("taskId")) {
            return of(answer, "id"); // 0.3's task itself, or a GetTask answer (a Task)
        }
        if ("status-update".equals(kind)) {
            return of(answer, "taskId");
        }
        return null;
    }

    private static Seen of(JsonNode object, String idMember) {
        JsonNode id = object.get(idMember);
        JsonNode state = object.path("status").get("state");
        if (id == null || !id.isTextual() || state == null || !state.isTextual()) {
            return null;
        }
        String name = state.textValue().toLowerCase(Locale.ROOT);
        name = name.startsWith("task_state_") ? name.substring("task_state_".length()) : name;
        return new Seen(id.textValue(), TERMINAL.contains(name));
    }
}
