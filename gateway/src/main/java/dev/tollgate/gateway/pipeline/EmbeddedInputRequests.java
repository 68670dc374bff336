package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The server-to-client requests a response carries inside it, which a client runs as if the server had sent
 * them on a stream: the {@code inputRequests} of an MCP 2026-07-28 {@code input_required} result (on the
 * result itself, or on a task the result holds, as a {@code tasks/get} answer does), and the URL
 * elicitations of a {@code -32042} URL-elicitation-required error (both revisions). Each is decided by policy
 * exactly like an {@code elicitation/create} or {@code sampling/createMessage} sent as a request.
 */
final class EmbeddedInputRequests {

    /** MCP 2025-11-25 error: the client must open these URLs (URL-mode elicitations) before retrying. */
    static final int URL_ELICITATION_REQUIRED = -32042;
    private static final String ELICITATION_CREATE = "elicitation/create";
    /** Where a result (or a task it holds) carries the requests it waits on. */
    static final String INPUT_REQUESTS = "inputRequests";

    /**
     * @param key    the server's key for the request (the inputRequests key, or the elicitation id)
     * @param method the embedded request's method
     * @param params its params (may be null)
     */
    record Embedded(String key, String method, JsonNode params) {
        JsonNode id() {
            return TextNode.valueOf(key);
        }
    }

    /** A response whose embedded requests cannot be read as a client would read them: refused, never relayed. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private EmbeddedInputRequests() {
    }

    /** Every embedded request in a JSON-RPC response object, in order; empty when it carries none. */
    static List<Embedded> in(JsonNode response) throws Malformed {
        List<Embedded> found = new ArrayList<>();
        JsonNode result = response.get("result");
        if (result != null && result.isObject()) {
            collect(result.get(INPUT_REQUESTS), found);
            for (Iterator<Map.Entry<String, JsonNode>> it = result.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                if (member.getValue().isObject()) {
                    // A task (tasks/get, a CreateTaskResult) can hold the input requests the task waits on.
                    collect(member.getValue().get(INPUT_REQUESTS), found);
                }
            }
        }
        JsonNode error = response.get("error");
        if (error != null && error.path("code").asInt() == URL_ELICITATION_REQUIRED) {
            JsonNode elicitations = error.path("data").path("elicitations");
            if (!elicitations.isMissingNode() && !elicitations.isArray()) {
                throw new Malformed("error.data.elicitations is not an array");
            }
            int i = 0;
            for (JsonNode elicitation : elicitations) {
                String key = elicitation.path("elicitationId").isTextual() ? elicitation.get("elicitationId").textValue() : "elicitation-" + i;
                found.add(new Embedded(key, ELICITATION_CREATE, elicitation));
                i++;
            }
        }
        return found;
    }

    private static void collect(JsonNode inputRequests, List<Embedded> found) throws Malformed {
        if (inputRequests == null || inputRequests.isNull()) {
            return;
        }
        if (!inputRequests.isObject()) {
            throw new Malformed("inputRequests is not an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = inputRequests.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode request = entry.getValue();
            if (!request.isObject() || !request.path("method").isTextual()) {
                throw new Malformed("inputRequests." + entry.getKey() + " is not a request with a method");
            }
            found.add(new Embedded(entry.getKey(), request.get("method").textValue(), request.get("params")));
        }
    }
}
