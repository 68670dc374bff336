package dev.tollgate.gateway.session;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The call an MCP stream answers, sealed into its event ids so that a stream resumed from one of them is decided as that
 * call's: the request's JSON-RPC id (as JSON text) and its tool.
 *
 * @param requestId the id of the stream's one {@code tools/call}, as JSON text ({@code 3}, {@code "a"})
 * @param tool      that call's tool
 */
public record StreamCall(String requestId, String tool) {

    /**
     * The tool a response on the resumed stream is the result of: the call's, when the response answers the call's id;
     * null otherwise (review W: a server keeping one event sequence per session replays other calls' answers too, which
     * must not be decided as this tool's).
     */
    public String toolFor(JsonNode responseId) {
        return responseId != null && requestId.equals(responseId.toString()) ? tool : null;
    }

    /** The form sealed in an event id (a JSON text holds no raw newline). */
    String sealed() {
        return requestId + '\n' + tool;
    }

    /** @return null when {@code sealed} is empty (the stream answers no single call) */
    static StreamCall unsealed(String sealed) {
        if (sealed == null || sealed.isEmpty()) {
            return null;
        }
        int newline = sealed.indexOf('\n');
        return newline < 0 ? null : new StreamCall(sealed.substring(0, newline), sealed.substring(newline + 1));
    }
}
