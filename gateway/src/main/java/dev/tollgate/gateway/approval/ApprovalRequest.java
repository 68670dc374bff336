package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.policy.Identity;

/**
 * What an approver is asked about: the held call and who made it, as the audit records it (arguments already
 * redacted with {@code telemetry.redact}; never the AXID itself).
 *
 * @param arguments          what is shown of the call's arguments, redacted ({@link ShownArguments}); null when it has none
 * @param argumentsTruncated whether values of {@code arguments} were cut to fit (each cut is marked where it is)
 */
public record ApprovalRequest(String route, String method, String tool, JsonNode arguments, boolean argumentsTruncated, Identity caller,
                              String policy, String rule, String message) {

    /**
     * The same request with its arguments as JSON text of at most {@code maxChars} characters (cut ones end with a
     * marker saying how long they were): what an ended approval keeps.
     */
    ApprovalRequest withArgumentsCut(int maxChars) {
        if (arguments == null) {
            return this;
        }
        String text = arguments.toString();
        String kept = text.length() <= maxChars ? text : text.substring(0, maxChars) + "... (cut: " + text.length() + " characters)";
        return new ApprovalRequest(route, method, tool, TextNode.valueOf(kept), argumentsTruncated || kept.length() < text.length(),
                caller, policy, rule, message);
    }

    /** The request's fields as the webhook and {@code GET /approvals} show them. */
    public ObjectNode toJson() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("route", route);
        out.put("method", method);
        put(out, "tool", tool);
        if (arguments != null) {
            out.set("arguments", arguments);
        }
        if (argumentsTruncated) {
            out.put("arguments_truncated", true);
        }
        ObjectNode who = out.putObject("caller");
        put(who, "spiffe_id", caller.spiffeId());
        put(who, "tenant", caller.tenant());
        put(who, "agent", caller.agent());
        put(who, "run", caller.run());
        put(who, "sub", caller.subUser());
        put(who, "parent", caller.parent());
        put(who, "tree", caller.tree());
        put(out, "policy", policy);
        put(out, "rule", rule);
        put(out, "message", message);
        return out;
    }

    private static void put(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
