package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;

/**
 * Reads from an A2A answer (or one stream event) which task it shows and whether that task is done, in either generation:
 * 1.0 {@code {"task": {"id", "status": {"state": "TASK_STATE_WORKING"}}}} or a status update
 * ({@code statusUpdate.taskId}, or in proto JSON's other spelling {@code status_update.task_id}), 0.3 the task itself ({@code kind: task}, {@code state: working}) or a
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
        JsonNode task = answer.get("task");
        if (task != null && task.isObject()) {
            return of(task, idOf(task));
        }
        for (String member : new String[] {"statusUpdate", "status_update"}) {
            JsonNode object = answer.get(member);
            if (object != null && object.isObject()) {
                return of(object, updatedTask(object));
            }
        }
        String kind = answer.path("kind").asText("");
        if ("task".equals(kind) || answer.path("status").isObject() && answer.has("id")
                && !answer.has("taskId") && !answer.has("task_id")) {
            return of(answer, idOf(answer)); // 0.3's task itself, or a GetTask answer (a Task)
        }
        if ("status-update".equals(kind)) {
            return of(answer, updatedTask(answer));
        }
        return null;
    }

    /**
     * The task a status update names, as the client reads it: {@code taskId}, else {@code task_id} (review AX: a task ended
     * in {@code status_update.task_id}, which ts-proto reads, kept its slot for an hour). Null when it names none, or two.
     */
    private static String updatedTask(JsonNode update) {
        try {
            return A2aAnswerIds.spelled(update, "taskId", "task_id");
        } catch (A2aTaskLearner.UnreadableAnswer e) {
            return null; // the slot stays held: a send's answer reading so is refused anyway (A2aTaskLearner)
        }
    }

    /**
     * A task's id as the client reads it, {@code String(value)} (as {@link A2aTaskLearner} binds it: a task whose id was
     * the number 7 is task "7", and held no slot while it ran). Null when it has none, or one the client could read otherwise.
     */
    private static String idOf(JsonNode task) {
        try {
            return A2aAnswerIds.value(task, "id");
        } catch (A2aTaskLearner.UnreadableAnswer e) {
            return null; // a send's answer reading so is refused anyway (A2aTaskLearner)
        }
    }

    private static Seen of(JsonNode object, String id) {
        JsonNode state = object.path("status").get("state");
        if (id == null || state == null || !state.isTextual()) {
            return null;
        }
        String name = state.textValue().toLowerCase(Locale.ROOT);
        name = name.startsWith("task_state_") ? name.substring("task_state_".length()) : name;
        return new Seen(id, TERMINAL.contains(name));
    }
}
