package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.telemetry.WrittenNames;
import dev.tollgate.policy.CallDescription;
import java.io.IOException;

/**
 * The A2A fields of an audit record, in the clear (unlike arguments, which are digested): what an
 * investigator asks first about an agent-to-agent call. Read from the normalized view policy saw, so the
 * record says exactly what was decided on.
 */
final class A2aAuditFields {

    private A2aAuditFields() {
    }

    /** @param nameDetectors what the skill's name is read with before it is written ({@link WrittenNames}) */
    static void write(JsonGenerator g, CallDescription call, java.util.List<dev.tollgate.policy.detect.Detector> nameDetectors)
            throws IOException {
        if (!"a2a".equals(call.protocol()) || call.arguments() == null) {
            return;
        }
        JsonNode view = call.arguments();
        g.writeStringField("protocol", "a2a");
        g.writeObjectFieldStart("a2a");
        copy(view, "binding", g, "binding");
        copy(view, "version", g, "version");
        copy(view, "tenant", g, "tenant");
        // The path's tenant where it differs from the one decided on: the agent may act in it (the SDK reads the path's).
        JsonNode pathTenant = view.get(dev.tollgate.protocols.a2a.A2aCall.PATH_TENANT);
        if (pathTenant != null && pathTenant.isTextual() && !pathTenant.textValue().equals(view.path("tenant").asText(null))) {
            g.writeStringField("path_tenant", pathTenant.textValue());
        }
        copy(view, "taskId", g, "task_id");
        copy(view, "contextId", g, "context_id");
        copy(view, "configId", g, "config_id");
        JsonNode skill = view.get("skill");
        if (skill != null && skill.isTextual()) {
            g.writeStringField("skill", WrittenNames.of(skill.textValue(), nameDetectors)); // the caller's text (review CG)
        }
        JsonNode pushUrl = view.path("push").get("url");
        if (pushUrl != null && pushUrl.isTextual()) {
            g.writeStringField("push_url", withoutSecrets(pushUrl.textValue()));
        }
        JsonNode message = view.path("message");
        if (message.isObject()) {
            g.writeArrayFieldStart("part_kinds");
            for (JsonNode part : message.path("parts")) {
                g.writeString(part.path("kind").asText());
            }
            g.writeEndArray();
            g.writeNumberField("message_bytes", message.path("size").asLong());
        }
        JsonNode extensions = view.get("extensions");
        if (extensions != null && extensions.isArray()) {
            g.writeFieldName("extensions");
            g.writeTree(extensions);
        }
        g.writeEndObject();
    }

    /**
     * Where the agent will send the task's updates, without what may be a credential: user info, query, fragment
     * ({@code https://hooks.example/t?token=...} is {@code https://hooks.example/t?…}). The destination is what an
     * investigator asks; the record is kept whatever {@code audit.arguments} says, and the token is the caller's
     * webhook secret (review AN). Cut as text: a URL Java cannot parse is still written without them.
     */
    static String withoutSecrets(String url) {
        int end = url.length();
        for (char stop : new char[] {'?', '#'}) {
            int at = url.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        String kept = url.substring(0, end);
        int authority = kept.indexOf("//");
        if (authority >= 0) {
            int pathStart = kept.indexOf('/', authority + 2);
            int hostEnd = pathStart < 0 ? kept.length() : pathStart;
            int userInfo = kept.lastIndexOf('@', hostEnd - 1);
            if (userInfo > authority) {
                kept = kept.substring(0, authority + 2) + "\u2026@" + kept.substring(userInfo + 1);
            }
        }
        return end < url.length() ? kept + url.charAt(end) + "\u2026" : kept;
    }

    private static void copy(JsonNode from, String field, JsonGenerator g, String as) throws IOException {
        JsonNode value = from.get(field);
        if (value != null && value.isTextual()) {
            g.writeStringField(as, value.textValue());
        }
    }
}
