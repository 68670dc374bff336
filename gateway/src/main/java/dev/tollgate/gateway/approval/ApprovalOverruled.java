package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * An approved call that was refused all the same, because a reload after it was held superseded the approval: what
 * the approval's listing adds, so that "approved" in the history never reads as "forwarded" for a call that was not.
 *
 * @param cause the recheck's cause label ({@code route_removed}, {@code policy_denies}, ...)
 * @param detail the sentence the client was given
 */
public record ApprovalOverruled(String cause, String detail, Instant at) {

    ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("cause", cause).put("detail", detail).put("at", at.toString());
    }

    /** As {@link #toJson} wrote it (read back from Redis); null when it is not such a note. */
    static ApprovalOverruled fromJson(com.fasterxml.jackson.databind.JsonNode json) {
        if (json == null || !json.path("cause").isTextual() || !json.path("at").isTextual()) {
            return null;
        }
        try {
            return new ApprovalOverruled(json.path("cause").textValue(), json.path("detail").asText(""), Instant.parse(json.path("at").textValue()));
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
