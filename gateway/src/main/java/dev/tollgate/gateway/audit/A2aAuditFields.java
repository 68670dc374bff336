package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.CallDescription;

/**
 * The A2A fields of an audit record, in the clear (unlike arguments, which are digested): what an
 * investigator asks first about an agent-to-agent call. Read from the normalized view policy saw, so the
 * record says exactly what was decided on.
 */
final class A2aAuditFields {

    private A2aAuditFields() {
    }

    static void add(ObjectNode record, CallDescription call) {
        if (!"a2a".equals(call.protocol()) || call.arguments() == null) {
            return;
        }
        JsonNode view = call.arguments();
        record.put("protocol", "a2a");
        ObjectNode a2a = record.putObject("a2a");
        copy(view, "binding", a2a, "binding");
        copy(view, "version", a2a, "version");
        copy(view, "tenant", a2a, "tenant");
        copy(view, "taskId", a2a, "task_id");
        copy(view, "contextId", a2a, "context_id");
        copy(view, "configId", a2a, "config_id");
        copy(view, "skill", a2a, "skill");
        copy(view.path("push"), "url", a2a, "push_url");
        JsonNode message = view.path("message");
        if (message.isObject()) {
            ArrayNode kinds = a2a.putArray("part_kinds");
            message.path("parts").forEach(p -> kinds.add(p.path("kind").asText()));
            a2a.put("message_bytes", message.path("size").asLong());
        }
        JsonNode extensions = view.get("extensions");
        if (extensions != null && extensions.isArray()) {
            a2a.set("extensions", extensions.deepCopy());
        }
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null && value.isTextual()) {
            to.put(as, value.textValue());
        }
    }
}
