package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The task an A2A stream ({@code SendStreamingMessage}, {@code SubscribeToTask}) shows, folded from its events as the
 * agent's own task store folds them: a {@code task} event replaces it, a {@code statusUpdate} replaces its status, and
 * both merge their {@code metadata} over what came before (the @a2a-js/sdk ResultManager does the same, so a cost an
 * agent reports on its final status update is where a later {@code GetTask} shows it). Only the stream's first task is
 * followed. Read once the stream ended, for the cost the finished task reports (review Z's residue: a streaming send
 * whose task finished on its own stream paid its estimate only, unless someone later asked {@code GetTask}).
 */
final class A2aStreamedTask {

    private final boolean legacy;
    private ObjectNode task;

    A2aStreamedTask(boolean legacy) {
        this.legacy = legacy;
    }

    /** Folds one event's answer (a JSON-RPC {@code result}, or an HTTP+JSON event body), either generation. */
    void fold(JsonNode answer) {
        JsonNode current = A2aAnswerShape.current(answer, legacy);
        if (current == null || !current.isObject()) {
            return;
        }
        JsonNode whole = current.get("task");
        if (whole != null && whole.isObject() && whole.path("id").isTextual() && follows(whole.get("id").textValue())) {
            // Shallow: its members are never changed, only replaced (a task's history and artifacts are not copied per event).
            ObjectNode next = JsonNodeFactory.instance.objectNode().setAll((ObjectNode) whole);
            mergeMetadata(next, task == null ? null : task.get("metadata"), whole.get("metadata"));
            task = next;
            return;
        }
        JsonNode update = current.get("statusUpdate");
        if (update != null && update.isObject() && update.path("taskId").isTextual() && update.path("status").isObject()
                && follows(update.get("taskId").textValue())) {
            if (task == null) {
                task = JsonNodeFactory.instance.objectNode().put("id", update.get("taskId").textValue());
            }
            task.set("status", update.get("status"));
            mergeMetadata(task, task.get("metadata"), update.get("metadata"));
        }
    }

    private boolean follows(String taskId) {
        return task == null || taskId.equals(task.path("id").textValue());
    }

    private static void mergeMetadata(ObjectNode into, JsonNode before, JsonNode added) {
        ObjectNode merged = before != null && before.isObject() ? JsonNodeFactory.instance.objectNode().setAll((ObjectNode) before) : null;
        if (added != null && added.isObject()) {
            merged = merged == null ? (ObjectNode) added : merged.setAll((ObjectNode) added);
        }
        if (merged != null) {
            into.set("metadata", merged);
        }
    }

    /** The task as 1.0 wraps it ({@code {"task": ...}}) when the stream showed it done; null while it runs or none was shown. */
    JsonNode finished() {
        if (task == null) {
            return null;
        }
        JsonNode wrapped = JsonNodeFactory.instance.objectNode().set("task", task);
        A2aTaskStates.Seen seen = A2aTaskStates.seen(wrapped);
        return seen != null && seen.terminal() ? wrapped : null;
    }

    /** The id of the task followed, or null. */
    String taskId() {
        return task == null ? null : task.path("id").textValue();
    }
}
