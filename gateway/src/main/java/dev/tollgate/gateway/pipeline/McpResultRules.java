package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Result rules on what one MCP call's answers and stream carry to the client: every answer a client may take for a
 * tool's result (POSTed tools/call and tasks/result, tasks/get and tasks/cancel, whose status message a client shows, answers read by
 * the model though no tool ran, and on a GET stream any response at all: a resumed stream carries results too), the
 * notifications and server requests beside them, error pages, and the entries of listed definitions
 * ({@link ListPolicing}). Each is decided under the tool whose result it is, or as of an unknown tool (tool-scoped
 * rules apply, fail closed) where the gateway cannot name it. Made only for a call whose policy has result rules.
 */
final class McpResultRules {

    /**
     * Answers a client hands to its model though no tool ran, or shows its user to pick from ({@code completion/complete}
     * values, which become a prompt's or a resource template's arguments, and so the model's text).
     */
    private static final Set<String> READ_BY_MODEL = Set.of(McpMethods.INITIALIZE, McpMethods.SERVER_DISCOVER, McpMethods.RESOURCES_READ,
            McpMethods.PROMPTS_GET, McpMethods.COMPLETION_COMPLETE);
    /** Server requests whose text a client puts before its model (sampling) or its user (elicitation). */
    private static final Set<String> SHOWN_BY_CLIENT = Set.of(McpMethods.SAMPLING_CREATE_MESSAGE, McpMethods.ELICITATION_CREATE);

    private final ResultPolicing results;
    private final ListPolicing lists;
    private final Exchange exchange;
    private final String route;
    private final SessionRequestIds sessionRequestIds;
    /** The ids of the requests this call POSTed; null on a GET stream. */
    private final Set<JsonNode> requestIds;
    /** A GET resuming a stream (Last-Event-ID): the responses it carries answer the call its event id names, if any. */
    private final boolean resumedStream;
    /** The tool of each request this call POSTed whose answer is read as a result, by request id (null: no tool). */
    private final Map<JsonNode, String> toolCalls;
    /** The ids of this call's tasks/result and tasks/get whose task's creating tool is unknown: decided as of an unknown tool. */
    private final Set<JsonNode> unknownTools;
    /** Each request this call POSTed, by id, as policy described it: its answer is described with it (review BT). */
    private final Map<JsonNode, CallDescription> answeredCalls;

    private McpResultRules(ResultPolicing results, Exchange exchange, UpstreamLearning learnt, Set<JsonNode> requestIds,
                           boolean resumedStream) {
        this.results = results;
        TaskScope taskScope = exchange.route().route().taskScope();
        this.lists = new ListPolicing(results, learnt.withheldTools(), exchange, McpResponseFilter.asksForTasksList(exchange.payload())
                ? taskId -> learnt.taskOrigins().toolOf(taskScope, taskId) : null, learnt.listingTails());
        this.exchange = exchange;
        this.route = exchange.route().route().name();
        this.sessionRequestIds = learnt.sessionRequestIds();
        this.requestIds = requestIds;
        this.resumedStream = resumedStream;
        this.toolCalls = exchange.payload() == null ? Map.of() : toolCalls(exchange.payload(), learnt.taskOrigins(), taskScope);
        this.unknownTools = exchange.payload() == null ? Set.of() : tasksOfUnknownTool(exchange.payload(), learnt.taskOrigins(), taskScope);
        this.answeredCalls = McpCallDescriber.answeredCalls(route, taskScope, exchange.messages(), learnt.taskOrigins());
    }

    /**
     * @param requestIds    the ids of the requests the call POSTed; null on a GET stream
     * @param resumedStream the call is a GET resuming a stream (Last-Event-ID)
     * @return null when the call's policy has no result rule (nothing to do for any of its answers)
     */
    static McpResultRules of(Exchange exchange, UpstreamLearning learnt, Set<JsonNode> requestIds, boolean resumedStream) {
        ResultPolicing results = ResultPolicing.of(exchange);
        return results == null ? null : new McpResultRules(results, exchange, learnt, requestIds, resumedStream);
    }

    /**
     * The result rules of {@code policy} (the route's serving now, a reload having replaced the call's) for what the
     * server sends on this call's stream: null when it has none.
     *
     * @param callRules the rules of the call's own policy, whose stream tails the new ones share; null when it had none
     */
    static McpResultRules under(CompiledPolicy policy, McpResultRules callRules, Exchange exchange, UpstreamLearning learnt,
                                Set<JsonNode> requestIds, boolean resumedStream) {
        ResultPolicing results = callRules == null ? ResultPolicing.of(exchange, policy) : callRules.results.under(policy);
        return results == null ? null : callRules != null && results == callRules.results ? callRules
                : new McpResultRules(results, exchange, learnt, requestIds, resumedStream);
    }

    /** The end of the text this stream relayed so far, null before any (see {@link ResultPolicing#streamTail}). */
    String streamTail() {
        return results.streamTail();
    }

    /** Starts this stream's text with the end of the stream it resumes (see {@link ResultPolicing#resumeAfter}). */
    void resumeAfter(String tail) {
        results.resumeAfter(tail);
    }

    /** The policy's error explaining the last verdict, for the request {@code id}. */
    ObjectNode denial(JsonNode id) {
        return results.denial(id);
    }

    /**
     * What of an error page may reach the client: decided as the result of the call's one tool (as of an unknown tool
     * when the call ran none or several), read as UTF-8, as a client reads a page that declares
     * no other charset (a page that does, or is not UTF-8, is not relayed: {@link AnswerEncoding#pageCharsetProblem}). The page as it is when
     * it passes; redacted in place when a rule redacts and the page is well-formed UTF-8 (its text is the page: the
     * findings are replaced in it, as in a JSON result's string); null when it is denied, or would be redacted but holds
     * bytes that are not UTF-8 (rewriting it would change what else it says): the client gets the 502.
     */
    byte[] errorPageShown(byte[] body) {
        if (body.length == 0) {
            return body;
        }
        ObjectNode page = JsonNodeFactory.instance.objectNode().put("error_page", new String(body, StandardCharsets.UTF_8));
        Map.Entry<JsonNode, String> call = toolCalls.size() == 1 ? toolCalls.entrySet().iterator().next() : null;
        CallDescription shown = answer(call == null ? null : call.getKey(), call == null ? null : call.getValue(), page);
        ResultPolicing.Outcome outcome = call == null || unknownTools.contains(call.getKey())
                ? results.decideOfUnknownTool(shown, call == null ? null : ResponseOutcome.key(call.getKey()), body.length)
                : results.decide(shown, ResponseOutcome.key(call.getKey()), body.length);
        if (outcome == ResultPolicing.Outcome.PASSED) {
            return body;
        }
        // Well-formed UTF-8 (AnswerEncoding.pageCharsetProblem refused any other page): the redacted text is the page.
        return outcome == ResultPolicing.Outcome.REDACTED ? page.get("error_page").textValue().getBytes(StandardCharsets.UTF_8) : null;
    }

    /**
     * Holds a result (or error) against the result rules: the response to relay instead (the denial, or the response
     * redacted in place), or null when it passes unchanged (or answers no call read as a result).
     *
     * @param size the size of the answer or event holding it, for limits.max-scanned-result-bytes
     */
    ObjectNode policedResult(JsonNode response, long size) {
        if (!response.isObject() || !response.hasNonNull("id")) {
            return null;
        }
        // A GET stream answers no request of its own. A response on a resumed one (Last-Event-ID, SEP-1699) is the result
        // of the call whose stream is resumed, whatever its id: the TypeScript client hands it to that call (it sets the
        // id to the resumed request's), and a replaying server sends what it stored, maybe an answer to an id since
        // reused. Which call that is, the event id says: the gateway sealed the tool of the stream's one tools/call into
        // it (ResumptionStage). When it names none (a GET's stream, a batch's), rules scoped to a tool apply as if it
        // were theirs (fail closed). On a stream not resumed, a client takes a response for the session's call in flight
        // with its id.
        boolean getStream = requestIds == null;
        if (!getStream && !toolCalls.containsKey(response.get("id"))) {
            return null;
        }
        String tool = !getStream ? toolCalls.get(response.get("id"))
                : resumedStream ? exchange.resumedToolFor(response.get("id")) : sessionRequestIds.pendingTool(route, exchange.upstreamSessionId(), response.get("id"));
        // An error's message reaches the model as a result does.
        JsonNode document = response.path("result").isObject() ? response.get("result") : response.path("error");
        if (!document.isObject()) {
            return null;
        }
        CallDescription result = answer(getStream ? null : response.get("id"), tool, document);
        boolean unknown = tool == null && (getStream || unknownTools.contains(response.get("id")));
        ResultPolicing.Outcome outcome = unknown ? results.decideOfUnknownTool(result, ResponseOutcome.key(response.get("id")), size)
                : results.decide(result, ResponseOutcome.key(response.get("id")), size);
        if (outcome == ResultPolicing.Outcome.DENIED) {
            exchange.resultWithheld();
            return results.denial(response.get("id"));
        }
        return outcome == ResultPolicing.Outcome.REDACTED ? (ObjectNode) response : null;
    }

    /**
     * Holds the entries of any list a response carries (tools, prompts, resources, templates: text a client shows its
     * model) against the result rules: null when nothing changed, else the response to relay (changed in place, or the
     * policy's error when the list could not be read).
     */
    ObjectNode policedLists(JsonNode response, long size) {
        return lists.police(response, size);
    }

    /**
     * The sampling and elicitation requests an answer carries that no result rule reads otherwise (the answer to a call
     * whose result is not read whole, a tools/list's say): each is held to the result rules as a request sent on a stream
     * is. The policy's error for the client's call when one is denied (the client cannot answer part of the requests),
     * the answer itself when one was redacted in place, else null.
     */
    ObjectNode policedEmbeddedRequests(JsonNode response, List<EmbeddedInputRequests.Embedded> embedded, long size) {
        if (readWholeAsResult(response)) {
            return null;
        }
        boolean redacted = false;
        for (EmbeddedInputRequests.Embedded request : embedded) {
            if (!SHOWN_BY_CLIENT.contains(request.method()) || request.params() == null || !request.params().isObject()) {
                continue;
            }
            // The answer is no tool's result (a list's, say): as of an unknown tool, as the same request sent on its stream is.
            ResultPolicing.Outcome outcome = results.decideApart(serverRequest(answeredCalls.get(response.get("id")), null, request.method(), request.params()),
                    ResponseOutcome.keyOrNull(response.get("id")), size, true);
            if (outcome == ResultPolicing.Outcome.DENIED) {
                exchange.resultWithheld();
                return results.denial(response.get("id"));
            }
            redacted |= outcome == ResultPolicing.Outcome.REDACTED;
        }
        return redacted ? (ObjectNode) response : null;
    }

    /** Whether {@link #policedResult} reads this response whole (embedded requests and all) against the result rules. */
    private boolean readWholeAsResult(JsonNode response) {
        return response.hasNonNull("id") && (requestIds == null || toolCalls.containsKey(response.get("id")));
    }

    /**
     * Decides what a stream carries beside the call's answer (a notification's params) as part of the result of the
     * stream's one call, under its tool; on the session's GET stream, a batch's stream, or that of a call whose tool is
     * unknown, as of an unknown tool (tool-scoped rules apply, fail closed).
     */
    ResultPolicing.Outcome decideBeside(JsonNode document, long size) {
        Map.Entry<JsonNode, String> call = streamCall();
        CallDescription read = answer(call == null ? null : call.getKey(), call == null ? null : call.getValue(), document);
        String id = call == null ? null : ResponseOutcome.key(call.getKey());
        return call == null || unknownTools.contains(call.getKey()) ? results.decideOfUnknownTool(read, id, size)
                : results.decide(read, id, size);
    }

    /**
     * Holds a sampling or elicitation request the server sends on a stream against the result rules: its messages and
     * system prompt go straight into the client's model, an elicitation's message and form before its user. Decided as
     * text of the stream's call (under its tool, as {@link #decideBeside} decides a notification), but read apart from
     * the call's own text: it reaches another reader. Redacted in place.
     */
    ResultPolicing.Outcome policedServerRequest(String method, JsonNode id, JsonNode params, long size) {
        if (!SHOWN_BY_CLIENT.contains(method) || params == null || !params.isObject()) {
            return ResultPolicing.Outcome.PASSED;
        }
        Map.Entry<JsonNode, String> call = streamCall();
        return results.decideServerRequest(serverRequest(call == null ? null : answeredCalls.get(call.getKey()), call == null ? null : call.getValue(), method, params),
                ResponseOutcome.key(id), size, call == null || unknownTools.contains(call.getKey()));
    }

    /** The id of the one call this stream runs; null on the GET stream, a batch's, or a stream of no call read as a result. */
    JsonNode streamCallId() {
        Map.Entry<JsonNode, String> call = streamCall();
        return call == null ? null : call.getKey();
    }

    /**
     * The answer to the request {@code id} (or text that is part of it), described with the call it answers: its method,
     * tool, resource and prompt (review BT: every answer was a tools/call's, so rules scoped by resource, prompt or method
     * never held). As a tool's result, of {@code tool}, where the call is not known (a GET stream's, a resumed one's).
     */
    private CallDescription answer(JsonNode id, String tool, JsonNode document) {
        CallDescription answered = id == null ? null : answeredCalls.get(id);
        return answered == null ? CallDescription.mcpToolResult(route, tool, document) : CallDescription.mcpResult(answered, document);
    }

    /** A server request's text, described with its own method and the resource and prompt of the call whose stream it is on. */
    private CallDescription serverRequest(CallDescription streamCall, String tool, String method, JsonNode params) {
        return CallDescription.mcpResult(route, method, tool, streamCall == null ? null : streamCall.resourceUri(),
                streamCall == null ? null : streamCall.promptName(), params);
    }

    private Map.Entry<JsonNode, String> streamCall() {
        return requestIds == null || toolCalls.size() != 1 ? null : toolCalls.entrySet().iterator().next();
    }

    /**
     * The task requests whose answer is the task (MCP 2025-11-25: tasks/get's GetTaskResult and tasks/cancel's
     * CancelTaskResult are the Task, whose status message a client shows; review AB: only tasks/get was read) or its
     * result (tasks/result).
     */
    private static final Set<String> TASK_ANSWERS = Set.of("tasks/result", "tasks/get", "tasks/cancel", "tasks/update");

    /** The tool whose result each request of this call will be answered with (null: no tool, or a task's unknown tool). */
    private static Map<JsonNode, String> toolCalls(JsonRpcPayload payload, TaskOrigins tasks, TaskScope route) {
        Map<JsonNode, String> tools = new HashMap<>();
        for (JsonRpcMessage message : payload.messages()) {
            if (!(message instanceof JsonRpcRequest request)) {
                continue;
            }
            if (McpMethods.TOOLS_CALL.equals(request.method()) && request.params() != null && request.params().path("name").isTextual()) {
                tools.put(request.id().value(), request.params().get("name").textValue());
            } else if (READ_BY_MODEL.contains(request.method())) {
                // No tool, but text the model reads all the same: a resource's contents, a prompt's messages, a server's
                // initialize or server/discover (2026-07-28) instructions. Result rules without a tool: condition apply to them.
                tools.put(request.id().value(), null);
            } else if (TASK_ANSWERS.contains(request.method())) {
                JsonNode taskId = request.params() == null ? null : request.params().get("taskId");
                tools.put(request.id().value(), taskId != null && taskId.isTextual() ? tasks.toolOf(route, taskId.textValue()) : null);
            }
        }
        return tools;
    }

    /**
     * The tasks/result and tasks/get of this call naming a task whose creating tool the gateway does not know (created on
     * a resumed stream, through another replica without a shared store, before a restart): their results are the tool's
     * results all the same, so rules scoped to a tool apply to them as if it were theirs (fail closed).
     */
    private static Set<JsonNode> tasksOfUnknownTool(JsonRpcPayload payload, TaskOrigins tasks, TaskScope route) {
        Set<JsonNode> unknown = new HashSet<>();
        for (JsonRpcMessage message : payload.messages()) {
            if (message instanceof JsonRpcRequest request && TASK_ANSWERS.contains(request.method())) {
                JsonNode taskId = request.params() == null ? null : request.params().get("taskId");
                if (taskId == null || !taskId.isTextual() || tasks.toolOf(route, taskId.textValue()) == null) {
                    unknown.add(request.id().value());
                }
            }
        }
        return unknown;
    }
}
