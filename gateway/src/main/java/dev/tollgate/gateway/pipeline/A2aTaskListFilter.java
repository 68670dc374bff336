package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.a2a.A2aCall;
import dev.tollgate.protocols.a2a.A2aMethod;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * ListTasks answered for one caller: an agent lists every task it holds, whoever created it, so the tasks that
 * {@link TaskOrigins} binds to another caller are taken out of the answer (the same tasks GetTask would call "not
 * found" for this caller), and {@code totalSize} is lowered by as many. A task the gateway did not see created binds
 * nobody and stays, as it does for GetTask. The next-page token is sealed to the caller ({@link A2aPageTokenSeal}),
 * whoever's task the page ended on: a page left empty by the filter still leads on. An answer that is not a readable list
 * is refused, not relayed: it could hold another caller's tasks in a shape this filter does not know.
 */
final class A2aTaskListFilter {

    private static final StrictJsonParser PARSER = new StrictJsonParser();

    /** The answer as this caller may see it. */
    sealed interface Filtered permits Visible, Unreadable {
    }

    record Visible(byte[] body) implements Filtered {
    }

    record Unreadable(String detail) implements Filtered {
    }

    private final TaskOrigins tasks;
    private final TaskScope scope;
    private final String caller;
    private final A2aPageTokenSeal pageTokens;

    private A2aTaskListFilter(TaskOrigins tasks, TaskScope scope, String caller, A2aPageTokenSeal pageTokens) {
        this.tasks = tasks;
        this.scope = scope;
        this.caller = caller;
        this.pageTokens = pageTokens;
    }

    /** A filter for a ListTasks call, or null for any other call. */
    static A2aTaskListFilter of(Exchange exchange, TaskOrigins tasks) {
        A2aCall call = exchange.a2a().call();
        if (call == null || call.method() != A2aMethod.LIST_TASKS) {
            return null;
        }
        return new A2aTaskListFilter(tasks, exchange.route().route().taskScope(), CallerKey.of(exchange.identity()),
                A2aPageTokenSeal.of(exchange));
    }

    /** The ids of the tasks a ListTasks answer lists (none when it is no readable list: {@link #filter} refuses it then). */
    List<String> listedIds(byte[] body, boolean jsonRpc) {
        JsonNode root;
        try {
            root = PARSER.parse(body);
        } catch (JsonRejection e) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode task : (jsonRpc ? root.path("result") : root).path("tasks")) {
            JsonNode id = task.get("id");
            if (id != null && id.isTextual()) {
                ids.add(id.textValue());
            }
        }
        return ids;
    }

    /** What the route's task bindings are kept under (shared by every route to its server). */
    TaskScope scope() {
        return scope;
    }

    /**
     * @param jsonRpc whether the answer is a JSON-RPC response (the list under {@code result}) or the HTTP+JSON body
     */
    Filtered filter(byte[] body, boolean jsonRpc) {
        JsonNode root;
        try {
            root = PARSER.parse(body);
        } catch (JsonRejection e) {
            return new Unreadable("not JSON: " + e.getMessage());
        }
        if (jsonRpc && root.isObject() && root.has("error") && !root.has("result")) {
            return new Visible(body);
        }
        JsonNode list = jsonRpc ? root.get("result") : root;
        if (list == null || !list.isObject() || !(list.get("tasks") instanceof ArrayNode listed)) {
            return new Unreadable("a ListTasks answer without a tasks array");
        }
        int removed = 0;
        for (Iterator<JsonNode> it = listed.elements(); it.hasNext(); ) {
            if (!visible(it.next())) {
                it.remove();
                removed++;
            }
        }
        ObjectNode page = (ObjectNode) list;
        boolean counted = page.has("totalSize") || page.has("total_size");
        // totalSize counts every caller's tasks, whatever this page holds (review O: one task of its own, a caller was told
        // 4; with a token naming no task, the count of all): the count of this page is the only one known to be this
        // caller's when no page follows; with one following, none is given rather than one counting others.
        boolean follows = page.hasNonNull("nextPageToken") && !page.get("nextPageToken").asText().isEmpty()
                || page.hasNonNull("next_page_token") && !page.get("next_page_token").asText().isEmpty();
        // Sealed whoever's task the page ended on (review N dropped it then, and the caller's listing ended there).
        boolean sealed = pageTokens.sealIn(page);
        if (removed == 0 && !counted && !sealed) {
            return new Visible(body);
        }
        page.remove(List.of("totalSize", "total_size"));
        if (counted && !follows) {
            page.put("totalSize", listed.size());
        }
        return new Visible(McpResponseFilter.bytes(root));
    }

    private boolean visible(JsonNode task) {
        JsonNode id = task.get("id");
        if (id == null || !id.isTextual()) {
            // A listed task without an id cannot be told apart: it is nobody's to see.
            return false;
        }
        if (caller == null) {
            // An anonymous caller binds nothing: it sees the tasks no identified caller holds.
            return !tasks.boundToAnother(scope, id.textValue(), null);
        }
        // Only the caller's own: a task nobody is bound to yet may be another caller's still in flight (a blocking
        // SendMessage binds its task when it answers, while the agent lists it, with that caller's message, at once).
        return tasks.boundTo(scope, id.textValue(), caller);
    }
}
