package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The query parameters of an HTTP+JSON {@code GET /tasks} that the gateway decides on, read as the JavaScript SDK's
 * Express app reads them (Node's {@code querystring}: {@code &}-separated, {@code +} a space, keys and values
 * percent-decoded, a repeated key an array, the first {@value A2aQueryPairs#NODE_MAX_PAIRS} pairs only). {@code contextId}
 * lists one context's tasks: unread, a caller listed another caller's context, which the JSON-RPC ListTasks refused
 * (review N).
 */
public final class A2aQuery {

    /**
     * The query keys the gateway reads on a {@code GET /tasks} (here, in {@link A2aPageTokens#inQuery} and in
     * {@link A2aListing#ofQuery}): named after Node's cut, the gateway and the agent would read different values (the SDK's
     * agent none, another agent this one), so such a query is refused (review AH).
     */
    static final Set<String> READ_KEYS = readKeys();

    private A2aQuery() {
    }

    private static Set<String> readKeys() {
        Set<String> keys = new HashSet<>(A2aListing.BOUND);
        keys.addAll(List.of("contextId", "pageToken", "page_token"));
        return Set.copyOf(keys);
    }

    /** The ListTasks parameters the query names ({@code contextId}), as a JSON-RPC call's params; empty when none. */
    public static JsonNode listTasksParams(String rawQuery) throws A2aInvalidRequest {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        List<A2aQueryPairs.Pair> pairs = A2aQueryPairs.of(rawQuery);
        A2aQueryPairs.requireReadByNode(pairs, READ_KEYS);
        for (A2aQueryPairs.Pair pair : pairs) {
            // A key that does not decode is kept as written by Node: never contextId.
            if (!"contextId".equals(pair.key())) {
                continue;
            }
            if (params.has("contextId")) {
                // The agent would be handed an array of contexts: no single one to decide on.
                throw new A2aInvalidRequest("the query names contextId more than once");
            }
            params.put("contextId", pair.value(rawQuery));
        }
        return params;
    }
}
