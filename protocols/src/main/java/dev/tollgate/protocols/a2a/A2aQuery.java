package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The query parameters of an HTTP+JSON {@code GET /tasks} that the gateway decides on, read as the JavaScript SDK's
 * Express app reads them (Node's {@code querystring}: {@code &}-separated, {@code +} a space, keys and values
 * percent-decoded, a repeated key an array). {@code contextId} lists one context's tasks: unread, a caller listed another
 * caller's context, which the JSON-RPC ListTasks refused (review N).
 */
public final class A2aQuery {

    private A2aQuery() {
    }

    /** The ListTasks parameters the query names ({@code contextId}), as a JSON-RPC call's params; empty when none. */
    public static JsonNode listTasksParams(String rawQuery) throws A2aInvalidRequest {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decodedOrNull(eq < 0 ? pair : pair.substring(0, eq));
            if (!"contextId".equals(key)) {
                // A key that does not decode is kept as written by Node: never contextId.
                continue;
            }
            if (params.has("contextId")) {
                // The agent would be handed an array of contexts: no single one to decide on.
                throw new A2aInvalidRequest("the query names contextId more than once");
            }
            params.put("contextId", eq < 0 ? "" : decoded(pair.substring(eq + 1)));
        }
        return params;
    }

    private static String decodedOrNull(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String decoded(String text) throws A2aInvalidRequest {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new A2aInvalidRequest("malformed percent-encoding in the query: " + text);
        }
    }
}
