package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcErrorCodes;
import dev.tollgate.protocols.jsonrpc.JsonRpcId;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.mcp.PlainResultScan;
import dev.tollgate.protocols.mcp.ServerMessage;
import dev.tollgate.protocols.mcp.ServerMessageReader;
import dev.tollgate.protocols.sse.SseEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import dev.tollgate.gateway.pinning.PinChange;
import dev.tollgate.gateway.pinning.PinWatch;
import dev.tollgate.gateway.pinning.RoutePins;
import java.util.Set;

/**
 * Policy on the way back, for everything an MCP server sends: every JSON answer and every SSE event is read
 * with the same strict parser as requests, and what cannot be read is not relayed (a lenient client could
 * act on a reading the gateway never decided). Server-to-client requests (sampling, elicitation, roots) are
 * decided by policy; a denied or unreadable one is not delivered and is answered to the upstream on the
 * client's behalf so the upstream does not wait forever. Every tools list in a response is filtered down to
 * the tools the caller may ever call, whichever request id it carries, so a list smuggled into another
 * call's answer is filtered too. Requests carried inside a response (the {@code inputRequests} of an MCP
 * 2026-07-28 {@code input_required} result, the URL elicitations of a -32042 error) are decided the same way,
 * and a denied one turns the whole answer into the policy's error. Errors for denied batch elements are
 * merged into the upstream's answer. The {@code requestState} of an answer is relayed sealed to the caller and the call
 * ({@link RequestStateSeal}). Result rules on what the answers and the stream carry are {@link McpResultRules}'.
 */
final class McpResponseFilter implements ResponseFilter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CACHE_SCOPE = "cacheScope";
    private static final String TTL_MS = "ttlMs";
    /** The longest a client may cache a tools list filtered for it: a policy reload may change what it may call. */
    static final long MAX_FILTERED_LIST_TTL_MS = 60_000;

    private final Identity identity;
    private final String route;
    /** What the route's task bindings are kept under (shared by every route to its server). */
    private final TaskScope taskScope;
    private final ServerMessageReader reader;
    private final boolean clientSentBatch;
    /** The ids of the requests this call POSTed: the only responses its answer may carry; null on a GET stream. */
    private final Set<JsonNode> requestIds;
    private final TaskProgressTokens taskProgressTokens;
    /**
     * The progress tokens this POST's requests gave ({@code params._meta.progressToken}), read at the first progress
     * notification (most calls see none); null until then, and on a stream no POST opened or one no check applies to.
     */
    private Set<JsonNode> progressTokens;
    private boolean progressTokensRead;
    /** Request ids already answered on this stream: a second answer to one is not relayed. */
    private final Set<JsonNode> answered = new HashSet<>();
    /** The client sent a tools/list, prompts/list or resources/list: what it may never call, get or read is left out. */
    private final boolean clientListsDefinitions;
    /**
     * An answer may be a tasks/list's: the client sent one, or this is a GET stream (a resumed one replays the answer of a
     * tasks/list whose stream was cut, SEP-1699, and on any GET a client takes a response for its call in flight with that
     * id). An upstream may list every task it holds, and another caller's are taken out (review DE: a replayed list was not).
     */
    private final boolean clientListsTasks;
    private final ArrayNode batchDenials;
    private final UpstreamAnswerer answerUpstream;
    private final DecisionListener decisions;
    private final RefusalListener refusals;
    private final ToolParamHeaders paramHeaders;
    private final DeclaredEnums declaredEnums;
    private final TaskOrigins taskOrigins;
    private final String instance;
    /** What this call POSTed: an answer holding a task was created by the {@code tools/call} with its id. */
    private final JsonRpcPayload payload;
    /** What upstreams listed, held against each route's pin manifest in the configuration serving now (see {@link #hideUnreviewed}). */
    private final PinWatch pinWatch;
    private final Exchange exchange;
    /**
     * Result rules on the answers to this call's own requests, under the policy they were decided on; null when it has
     * no result rule. What the server sends of its own on the stream is read under {@link #servingRules()}.
     */
    private final McpResultRules results;
    private final UpstreamLearning learnt;
    /**
     * The route's policy {@link #servingResults} were last made for, and those rules (null: it has none): a stream
     * open across a reload holds what the server sends to the policy serving now (review AO), made once per policy.
     */
    private CompiledPolicy servingPolicy;
    private McpResultRules servingResults;
    /** The session's request ids in flight, with their tools: whose result a response on a GET stream is. */
    private final SessionRequestIds sessionRequestIds;
    /** Set once a result on this stream was denied: the client has the policy's error, and nothing more is relayed. */
    private boolean resultWithheld;
    /**
     * The id of the one request this call POSTed, when nothing but the answer's shape is checked on its answer (no
     * batch, no tools list asked for, no result rules): a plain result to it is relayed without reading a tree.
     */
    private final JsonNode plainAnswerTo;
    /**
     * With a shared task store, the call POSTed a tools/call or is a GET stream; with any store, it asked for a task: an
     * answer may create a task, whose binding it waits for (withheld when the binding could not be made).
     */
    private final boolean bindsTasks;
    /** The bindings of the tasks this call's answers created that the shared store has yet to confirm. */
    private final PendingBindings bindings = new PendingBindings();
    /** The id of the last answer that created a task: the error in its place when its binding could not be written. */
    private JsonNode bindingAnswerId;
    /** Seals each requestState relayed to this caller and the call it answers. */
    private final RequestStateSeal requestStates;

    /** The lists whose entries the caller may never call, get or read are left out of (see {@link #filterLists}). */
    private static final Set<String> FILTERED_LISTS = Set.of(McpMethods.TOOLS_LIST, McpMethods.PROMPTS_LIST, McpMethods.RESOURCES_LIST);
    /** Result members the filter acts on (see rewriteJson): an answer holding one is read whole. */
    private static final Set<String> ACTED_ON_IN_RESULT = Set.of("tools", "prompts", "resources", "task", EmbeddedInputRequests.INPUT_REQUESTS, CACHE_SCOPE, TTL_MS,
            RequestStateStage.REQUEST_STATE);
    /** ... and in an object member of the result: the input requests a task waits on. */
    private static final Set<String> ACTED_ON_IN_RESULT_MEMBERS = Set.of(EmbeddedInputRequests.INPUT_REQUESTS);

    /** Told about every server-to-client request decided, allowed or denied (for metrics and audit). */
    @FunctionalInterface
    interface DecisionListener {
        /** @return false when the decision could not be recorded and the request must not be delivered (fail closed) */
        boolean decided(CallDescription call, Decision decision, JsonNode id);
    }

    /**
     * Sends a JSON-RPC error response to the upstream, in the client's session, for a request not delivered;
     * counted under {@code countAs} unless null (already counted as a refusal).
     */
    @FunctionalInterface
    interface UpstreamAnswerer {
        void answer(JsonNode id, ObjectNode errorResponse, RejectReason countAs);
    }

    /** Told about every upstream message refused as unreadable (counted and logged by the caller). */
    @FunctionalInterface
    interface RefusalListener {
        void refused(RejectReason reason, ServerMessage.Unreadable why);
    }

    McpResponseFilter(Exchange exchange, UpstreamAnswerer answerUpstream, DecisionListener decisions, RefusalListener refusals,
                      UpstreamLearning learnt) {
        this.paramHeaders = learnt.paramHeaders();
        this.declaredEnums = learnt.declaredEnums();
        this.taskOrigins = learnt.taskOrigins();
        this.taskProgressTokens = learnt.taskProgressTokens();
        this.pinWatch = learnt.pins();
        this.sessionRequestIds = learnt.sessionRequestIds();
        this.exchange = exchange;
        // Where the task (cursor, requestState) lives: its tasks/get and tasks/cancel must reach it, whatever the number of
        // instances, since a reload may scale the route out (review AY).
        this.instance = exchange.upstreamInstance() != null ? exchange.upstreamInstance().url() : null;
        this.decisions = decisions;
        this.refusals = refusals;
        this.identity = exchange.identity();
        this.route = exchange.route().route().name();
        this.taskScope = exchange.route().route().taskScope();
        this.reader = new ServerMessageReader(exchange.snapshot().jsonRpc());
        this.clientSentBatch = exchange.payload() instanceof JsonRpcPayload.Batch;
        this.requestIds = exchange.payload() == null ? null : requestIds(exchange.payload());
        this.payload = exchange.payload();
        this.clientListsDefinitions = exchange.payload() instanceof JsonRpcPayload.Single single
                && single.message() instanceof JsonRpcRequest request && FILTERED_LISTS.contains(request.method());
        this.clientListsTasks = asksForTasksList(exchange.payload()) || exchange.payload() == null;
        this.resumedStream = exchange.payload() == null && exchange.request().headers().contains("Last-Event-ID");
        this.results = McpResultRules.of(exchange, learnt, requestIds, resumedStream);
        this.learnt = learnt;
        this.servingPolicy = exchange.answerPolicy();
        this.servingResults = results;
        if (resumedStream && results != null) {
            // The text the client read before the event it resumes from: a phrase split across the cut is read whole.
            results.resumeAfter(learnt.listingTails().before(route, identity, RESUMED_STREAM, exchange.upstreamLastEventId()));
        }
        this.bindsTasks = taskOrigins.shared() && (exchange.payload() == null || exchange.payload().messages().stream()
                .anyMatch(m -> m instanceof JsonRpcRequest request && McpMethods.TOOLS_CALL.equals(request.method())))
                // Without one too for a call asking for a task: its binding may be refused (the tenant's share is full,
                // calls racing past TaskBindingClaimStage), and the event handing the task's id out is then withheld.
                || exchange.payload() != null && exchange.payload().messages().stream().anyMatch(m -> m instanceof JsonRpcRequest request
                        && McpMethods.TOOLS_CALL.equals(request.method()) && request.params() != null && request.params().path("task").isObject());
        this.batchDenials = exchange.batchDenials();
        this.requestStates = new RequestStateSeal(exchange.snapshot().sessions(), route, identity, instance, payload,
                ApprovedContinuation.approvedIn(exchange));
        this.answerUpstream = answerUpstream;
        this.plainAnswerTo = exchange.payload() instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request
                && !clientListsDefinitions && !clientListsTasks && batchDenials == null && results == null
                && !TaskLifecycle.mayEndTask(request.method()) ? request.id().value() : null;
    }

    @Override
    public boolean rewritesJson() {
        return clientListsDefinitions || clientListsTasks || batchDenials != null;
    }

    @Override
    public boolean inspectsEveryAnswer() {
        return true;
    }

    /** Errors for denied batch elements, to send before the upstream's events when it answers with SSE. */
    @Override
    public ArrayNode batchDenials() {
        return batchDenials;
    }

    /**
     * A tasks/list answer on a route whose task bindings are shared: the owners of the listed tasks this replica has not
     * seen are fetched first, so {@link #filterTasksList} takes out another caller's task created through another
     * replica. The answer is read here and again when it is rewritten: only tasks/list answers pay for it.
     */
    @Override
    public io.vertx.core.Future<Void> beforeRewrite(byte[] body) {
        if (!clientListsTasks || !taskOrigins.shared() || !(reader.read(body, clientSentBatch) instanceof ServerMessage.Read answer)) {
            return io.vertx.core.Future.succeededFuture();
        }
        return taskOrigins.load(taskScope, listedTaskIds(answer.root()), List.of(), io.vertx.core.Vertx.currentContext());
    }

    @Override
    public boolean waitsOnEvents() {
        return clientListsTasks && taskOrigins.shared() || bindsTasks;
    }

    @Override
    public io.vertx.core.Future<Void> bindingsWritten() {
        return bindings.take();
    }

    /** A streamed answer that created a task is sent once the task's binding is in the shared store; else the store's error in its place. */
    @Override
    public io.vertx.core.Future<SseEvent> settle(SseEvent passed) {
        io.vertx.core.Future<Void> written = bindings.take();
        if (written.succeeded()) {
            return io.vertx.core.Future.succeededFuture(passed);
        }
        JsonNode id = bindingAnswerId;
        return written.transform(ar -> {
            if (ar.succeeded() || passed == null) {
                return io.vertx.core.Future.succeededFuture(passed);
            }
            ServerMessage.Unreadable why = new ServerMessage.Unreadable(RejectReason.TASK_STORE_UNAVAILABLE.code(),
                    "the task the answer creates could not be bound in the task store: " + ar.cause().getMessage(), null, false);
            refusals.refused(RejectReason.TASK_STORE_UNAVAILABLE, why);
            resultWithheld = true; // the task's id is not handed out: nothing more of this stream either
            return io.vertx.core.Future.succeededFuture(passed.withData(
                    new String(bytes(errorInPlace(id, RejectReason.TASK_STORE_UNAVAILABLE, why.detail())), StandardCharsets.UTF_8)));
        });
    }

    /**
     * The same for a tasks/list answered on an SSE stream: the event holding the list waits for the bindings of its
     * unseen tasks (the relay holds later events behind it). When the store cannot answer, the list is replaced by an
     * error for the call (see {@link #onEvent}): the stream's status line is already sent.
     */
    @Override
    public io.vertx.core.Future<Void> beforeEvent(SseEvent event) {
        if (!waitsOnEvents() || event.data() == null || event.data().isEmpty()
                || !(reader.read(event.data().getBytes(StandardCharsets.UTF_8), false) instanceof ServerMessage.Read read)) {
            return io.vertx.core.Future.succeededFuture();
        }
        List<String> listed = listedTaskIds(read.root());
        if (listed.isEmpty()) {
            return io.vertx.core.Future.succeededFuture();
        }
        return taskOrigins.load(taskScope, listed, List.of(), io.vertx.core.Vertx.currentContext()).transform(ar -> {
            if (ar.failed()) {
                listUnchecked = ar.cause().getMessage();
            }
            return io.vertx.core.Future.succeededFuture();
        });
    }

    /** Why the owners of a streamed task list could not be read (the list is then not relayed); null while they could. */
    private String listUnchecked;

    private static List<String> listedTaskIds(JsonNode root) {
        List<String> listed = new java.util.ArrayList<>();
        for (JsonNode response : root.isArray() ? root : List.of(root)) {
            for (JsonNode task : response.path("result").path("tasks")) {
                JsonNode taskId = task.get("taskId");
                if (taskId != null && taskId.isTextual()) {
                    listed.add(taskId.textValue());
                }
            }
        }
        return listed;
    }

    /**
     * A whole JSON answer: the bytes to relay (the input when nothing changes), or null when the answer
     * cannot be relayed (unreadable, not a response, an array the client did not ask for).
     */
    @Override
    public byte[] rewriteJson(byte[] body, io.vertx.core.http.HttpServerResponse response) {
        currentSize = body.length;
        if (plainAnswerTo != null && new PlainResultScan(reader.json(), ACTED_ON_IN_RESULT, ACTED_ON_IN_RESULT_MEMBERS)
                .isPlainResult(body, plainAnswerTo)) {
            return body; // what the whole read below would relay unchanged, with nothing to decide or note
        }
        ServerMessage read = reader.read(body, clientSentBatch);
        if (read instanceof ServerMessage.Unreadable unreadable) {
            refuse(RejectReason.UPSTREAM_INVALID_RESPONSE, unreadable);
            return null;
        }
        ServerMessage.Read answer = (ServerMessage.Read) read;
        // Result rules are chosen by the call an answer's id names: two answers to one id would let one of them
        // pass under the other's call (the stream path refuses the same with its `answered` set).
        Set<JsonNode> answeredHere = answer.messages().size() > 1 ? new java.util.HashSet<>() : null;
        for (JsonRpcMessage message : answer.messages()) {
            if (!(message instanceof JsonRpcResponse)) {
                // A JSON answer carries responses only; a client would still dispatch a request found in it.
                JsonNode id = message instanceof JsonRpcRequest request ? request.id().value() : null;
                refuse(RejectReason.UPSTREAM_INVALID_RESPONSE, new ServerMessage.Unreadable("not_a_response",
                        "a JSON answer may only carry responses, got " + describe(message), id, id != null));
                return null;
            }
            if (!answersThisCall((JsonRpcResponse) message)) {
                refuse(RejectReason.UPSTREAM_INVALID_RESPONSE, wrongId((JsonRpcResponse) message));
                return null;
            }
            JsonRpcId id = ((JsonRpcResponse) message).id();
            if (answeredHere != null && id != null && !answeredHere.add(id.value())) {
                refuse(RejectReason.UPSTREAM_INVALID_RESPONSE, new ServerMessage.Unreadable("answered_twice",
                        "a second response to request " + id, null, false));
                return null;
            }
            noteCreatedTask((JsonRpcResponse) message);
            noteTaskLifecycle((JsonRpcResponse) message);
        }
        JsonNode root = answer.root();
        boolean changed = false;
        try {
            if (answer.array()) {
                ArrayNode elements = (ArrayNode) root;
                for (int i = 0; i < elements.size(); i++) {
                    ObjectNode relayed = decided(elements.get(i));
                    if (relayed != null) {
                        elements.set(i, relayed);
                        changed = true;
                    }
                }
            } else {
                ObjectNode relayed = decided(root);
                if (relayed != null) {
                    root = relayed;
                    changed = true;
                }
            }
        } catch (EmbeddedInputRequests.Malformed e) {
            refuse(RejectReason.UPSTREAM_INVALID_RESPONSE, new ServerMessage.Unreadable("malformed_input_requests", e.getMessage(), null, false));
            return null;
        }
        if (batchDenials != null) {
            ArrayNode merged = root.isArray() ? (ArrayNode) root : JSON.createArrayNode().add(root);
            merged.addAll(batchDenials);
            root = merged;
            changed = true;
        }
        return changed ? bytes(root) : body;
    }

    /**
     * The body of an error status (4xx, 5xx) to a POST or GET: relayed as it is unless it is JSON-RPC, which
     * a client still dispatches (the SDK v2 client reads a 400's error response, a -32042 URL elicitation
     * included). JSON-RPC there is held to the same rules as a successful answer: readable, responses only,
     * embedded requests decided. Null when it must not be relayed.
     *
     * @param encodingProblem why the answer's headers make it unreadable as the client reads it, or null
     */
    @Override
    public byte[] checkErrorAnswer(byte[] body, String encodingProblem, String pageCharsetProblem) {
        if (!ServerMessageReader.looksLikeJsonRpc(body)) {
            // An error page or a plain JSON error: nothing a client dispatches as a message, but every SDK makes its text
            // the failed call's error, which an agent shows its model: held to the result rules like an error message,
            // which read it as UTF-8. One a client may decode otherwise is not relayed to be read unread.
            if (results != null && pageCharsetProblem != null) {
                refusals.refused(RejectReason.UPSTREAM_INVALID_RESPONSE,
                        new ServerMessage.Unreadable("unreadable_charset", pageCharsetProblem, null, false));
                return null;
            }
            return results == null ? body : results.errorPageShown(body);
        }
        if (encodingProblem != null) {
            refuse(RejectReason.UPSTREAM_INVALID_RESPONSE, new ServerMessage.Unreadable("unreadable_encoding", encodingProblem, null, false));
            return null;
        }
        return rewriteJson(body, null);
    }

    /** Where a stream's tail is kept under the id of each event relayed ({@link ListingTails}), apart from lists' cursors. */
    private static final String RESUMED_STREAM = "stream event";

    /**
     * For {@link dev.tollgate.gateway.upstream.SseEventRelay}: the event to deliver, rewritten, or null to drop. The end of
     * the text relayed so far is kept under the upstream's id of each event with one, for a GET resuming from it.
     */
    @Override
    public SseEvent onEvent(SseEvent event) {
        SseEvent relayed = decidedEvent(event);
        McpResultRules rules = servingResults != null ? servingResults : results;
        if (rules != null && event.id() != null && !event.id().isEmpty()) {
            String tail = rules.streamTail();
            if (tail != null) {
                learnt.listingTails().kept(route, identity, RESUMED_STREAM, event.id(), tail);
            }
        }
        return relayed;
    }

    private SseEvent decidedEvent(SseEvent event) {
        // Why this event's task owners could not be read (beforeEvent), taken for this event alone.
        String unchecked = listUnchecked;
        listUnchecked = null;
        if (resultWithheld) {
            return null; // the client already has the policy's error for this call: nothing more of its stream
        }
        if (event.data() == null || event.data().isEmpty()) {
            return event; // priming events and keep-alives carry no message
        }
        byte[] data = event.data().getBytes(StandardCharsets.UTF_8);
        currentSize = data.length;
        ServerMessage read = reader.read(data, false);
        if (read instanceof ServerMessage.Unreadable unreadable) {
            refuse(RejectReason.UPSTREAM_INVALID_EVENT, unreadable);
            return null;
        }
        ServerMessage.Read message = (ServerMessage.Read) read;
        if (message.messages().get(0) instanceof JsonRpcNotification notification && progressOfAnotherCall(notification, message.root())) {
            refuse(RejectReason.UPSTREAM_INVALID_EVENT, new ServerMessage.Unreadable("foreign_progress_token",
                    "a progress notification whose token names no request of this call", null, false));
            return null;
        }
        if (message.messages().get(0) instanceof JsonRpcNotification notification) {
            String ended = TaskLifecycle.ended(notification);
            if (ended != null) {
                exchange.taskEnded(ended);
            }
        }
        // Every notification reaches the client's handlers, whatever stream carries it (a tools/call's, a list's, the
        // 2026 subscriptions/listen stream, the GET stream): each is held to the result rules.
        if (message.messages().get(0) instanceof JsonRpcNotification notification) {
            McpResultRules serving = servingRules();
            SseEvent policed = serving == null ? event : policedNotification(serving, event, notification, message.root());
            if (policed != event) {
                return policed;
            }
        }
        if (message.messages().get(0) instanceof JsonRpcRequest request && McpMethods.isServerToClientRequest(request.method())
                && !McpMethods.PING.equals(request.method())) {
            CallDescription call = CallDescription.mcpServerRequest(route, request.method(), request.params());
            Decision decision = RoutePolicy.decide(exchange.currentPolicy(), new PolicyRequest(call, identity, Instant.now()));
            if (decision.enforcedDeny()) {
                decisions.decided(call, decision, request.id().value());
                answerUpstream.answer(request.id().value(), PolicyDenials.response(request.id().value(), decision), null);
                return null;
            }
            // Decided by the result rules before it is recorded, so its audit record carries their verdict: those of the
            // policy serving now, as its request rules above (a GET stream stays open across reloads).
            McpResultRules serving = servingRules();
            ResultPolicing.Outcome shown = serving == null ? ResultPolicing.Outcome.PASSED
                    : serving.policedServerRequest(request.method(), request.id().value(), message.root().get("params"), currentSize);
            if (!decisions.decided(call, decision, request.id().value())) {
                // Its record could not be kept (audit when-full: reject): not delivered, as a call would not be made.
                answerUpstream.answer(request.id().value(), errorInPlace(request.id().value(), RejectReason.AUDIT_UNAVAILABLE, null), RejectReason.AUDIT_UNAVAILABLE);
                return null;
            }
            if (shown == ResultPolicing.Outcome.DENIED) {
                // Not delivered: the server's request gets the policy's error, and the call's stream goes on.
                answerUpstream.answer(request.id().value(), serving.denial(request.id().value()), null);
                return null;
            }
            return shown == ResultPolicing.Outcome.REDACTED ? event.withData(new String(bytes(message.root()), StandardCharsets.UTF_8)) : event;
        }
        if (message.messages().get(0) instanceof JsonRpcResponse response && !answersThisCall(response)) {
            // A response to a request this POST did not carry would be taken by the client for another call's answer.
            refuse(RejectReason.UPSTREAM_INVALID_EVENT, wrongId(response));
            return null;
        }
        if (message.messages().get(0) instanceof JsonRpcResponse response && requestIds != null && response.id() != null
                && !answered.add(response.id().value())) {
            refuse(RejectReason.UPSTREAM_INVALID_EVENT, new ServerMessage.Unreadable("answered_twice",
                    "a second response to request " + response.id().value(), null, false));
            return null;
        }
        if (!(message.messages().get(0) instanceof JsonRpcResponse response)) {
            return event;
        }
        noteCreatedTask(response);
        noteTaskLifecycle(response);
        boolean listsTasks = unchecked != null && !listedTaskIds(message.root()).isEmpty();
        ObjectNode relayed;
        try {
            // Decided first even when the task store failed below: the requests it carries get their decisions and records.
            relayed = decided(message.root());
        } catch (EmbeddedInputRequests.Malformed e) {
            ServerMessage.Unreadable why = new ServerMessage.Unreadable("malformed_input_requests", e.getMessage(), null, false);
            refuse(RejectReason.UPSTREAM_INVALID_EVENT, why);
            // The call's own answer cannot be dropped silently: the client gets an error in its place.
            relayed = unreadableResponseError(message.root().get("id"), why);
        }
        if (listsTasks && (relayed == null || relayed == message.root())) {
            // Whose its tasks are could not be read: the list is not relayed, the call gets the store's error in its place
            // (a denial decided above is relayed as it is).
            ServerMessage.Unreadable why = new ServerMessage.Unreadable(RejectReason.TASK_STORE_UNAVAILABLE.code(),
                    "the task store could not be read to filter the answer: " + unchecked, null, false);
            refusals.refused(RejectReason.TASK_STORE_UNAVAILABLE, why);
            return event.withData(new String(bytes(errorInPlace(message.root().get("id"), RejectReason.TASK_STORE_UNAVAILABLE, why.detail())),
                    StandardCharsets.UTF_8));
        }
        return relayed == null ? event : event.withData(new String(bytes(relayed), StandardCharsets.UTF_8));
    }

    /**
     * Everything decided on one response, in order: the requests it carries (request policy, then result rules), its
     * result (result rules), its lists (filtered for the caller, then each entry held to result rules), its cache hint.
     * A denial anywhere is what is relayed in its place; a change in place (a redaction, entries left out) lets the
     * later steps run on the changed response, so none is skipped because an earlier one changed something.
     *
     * @return null when the response is relayed unchanged; else what to relay (the response changed in place, or an error)
     */
    private ObjectNode decided(JsonNode response) throws EmbeddedInputRequests.Malformed {
        if (exchange.unsealedCursor() && response.has("error")) {
            // The upstream's error about the cursor the gateway unsealed may name it, and the cursor is a task id in the
            // TypeScript SDK's store, perhaps another caller's (review AD: "Invalid cursor: <globex's task>" once that task
            // expired). The caller gets the gateway's own answer, as for a cursor it did not hand out.
            return errorInPlace(response.get("id"), RejectReason.INVALID_PARAMS, STALE_CURSOR);
        }
        EmbeddedOutcome embedded = decidedEmbeddedRequests(response);
        if (embedded.denial() != null) {
            return embedded.denial();
        }
        boolean changed = embedded.redacted();
        ObjectNode policed = policedResult(response);
        if (policed != null && policed != response) {
            return policed; // the result's denial
        }
        changed |= policed != null;
        changed |= filterLists(response);
        ObjectNode listed = policedLists(response);
        if (listed != null && listed != response) {
            return listed; // a list too large to read, denied
        }
        changed |= listed != null;
        if ("input_required".equals(response.path("result").path("resultType").asText(null))) {
            exchange.ranNoTool(); // AGT's tool_call_count: the retry is the tool call (review CF)
        }
        try {
            // Last, on what is relayed: a state handed out only with an answer that reaches the client.
            changed |= requestStates.sealIn(response);
        } catch (RequestStateSeal.Unsealable e) {
            refusals.refused(RejectReason.UPSTREAM_INVALID_RESPONSE, new ServerMessage.Unreadable("unsealable_request_state", e.getMessage(), null, false));
            return errorInPlace(response.get("id"), RejectReason.UPSTREAM_INVALID_RESPONSE, e.getMessage());
        }
        return changed ? (ObjectNode) response : null;
    }

    /**
     * What deciding the requests a response carries came to: the error to relay in the response's place when one is
     * denied, else whether result rules redacted any of them in place.
     */
    private record EmbeddedOutcome(ObjectNode denial, boolean redacted) {
        static final EmbeddedOutcome UNCHANGED = new EmbeddedOutcome(null, false);
    }

    /**
     * Holds the entries of any list a response carries (tools, prompts, resources, templates: text a client shows its
     * model) against the result rules, after the lists were filtered for the caller: null when nothing changed, else the
     * response to relay (changed in place, or the policy's error when the list could not be read).
     */
    private ObjectNode policedLists(JsonNode response) {
        McpResultRules rules = answerRules();
        return rules == null ? null : rules.policedLists(response, currentSize);
    }

    /**
     * Decides the requests a response carries inside it (input_required results, URL-elicitation errors) as if the
     * server had sent them on a stream: request policy, then result rules.
     */
    private EmbeddedOutcome decidedEmbeddedRequests(JsonNode response) throws EmbeddedInputRequests.Malformed {
        ObjectNode denial = null;
        List<EmbeddedInputRequests.Embedded> embedded = EmbeddedInputRequests.in(response);
        for (EmbeddedInputRequests.Embedded request : embedded) {
            CallDescription call = CallDescription.mcpServerRequest(route, request.method(), request.params());
            Decision decision = RoutePolicy.decide(exchange.currentPolicy(), new PolicyRequest(call, identity, Instant.now()));
            boolean recorded = decisions.decided(call, decision, request.id());
            if (!recorded && denial == null) {
                // Its record could not be kept (audit when-full: reject): the answer carrying it is not delivered either.
                denial = errorInPlace(response.get("id"), RejectReason.AUDIT_UNAVAILABLE, null);
                exchange.answerRefused(RejectReason.AUDIT_UNAVAILABLE);
            } else if (decision.enforcedDeny() && denial == null) {
                denial = PolicyDenials.response(response.get("id"), decision);
                exchange.answerRefused(PolicyDenials.reasonFor(decision));
            }
        }
        if (denial != null) {
            return new EmbeddedOutcome(denial, false);
        }
        // The server's own requests: under the policy serving now, as their request rules above.
        McpResultRules serving = embedded.isEmpty() ? null : servingRules();
        if (serving == null) {
            return EmbeddedOutcome.UNCHANGED;
        }
        ObjectNode policed = serving.policedEmbeddedRequests(response, embedded, currentSize);
        return policed == null ? EmbeddedOutcome.UNCHANGED : policed == response ? new EmbeddedOutcome(null, true) : new EmbeddedOutcome(policed, false);
    }

    /**
     * Holds a {@code tools/call} result against the policy's result rules: the response to relay instead (the denial,
     * or the response redacted in place), or null when it passes unchanged (or is no tools/call result).
     */
    private ObjectNode policedResult(JsonNode response) {
        McpResultRules rules = answerRules();
        return rules == null ? null : rules.policedResult(response, currentSize);
    }

    /** A GET resuming a stream (Last-Event-ID): the responses it carries answer the call its event id names, if any. */
    private final boolean resumedStream;

    /** The size of the answer or event being read, for result policy's limit. */
    private long currentSize;

    /**
     * Text a tool sends while it runs (progress messages, log data) reaches the model as surely as its result: the
     * notification's params are held against the result rules as part of the call's result. A denied one ends the
     * client's stream with the policy's error for the call (later events are dropped, the final result included); a
     * redacted one is relayed redacted. The same event when it passes.
     */
    private SseEvent policedNotification(McpResultRules rules, SseEvent event, JsonRpcNotification notification, JsonNode root) {
        if (notification.params() == null || !root.path("params").isObject()) {
            return event;
        }
        ResultPolicing.Outcome outcome = rules.decideBeside(root.get("params"), currentSize);
        JsonNode call = rules.streamCallId();
        if (call == null) {
            // On the session's GET stream a notification answers no call, on a batch's stream no one call, and on the
            // stream of a call that runs no tool (subscriptions/listen, a list) no tool's: a denied one is dropped, the
            // stream goes on.
            return outcome == ResultPolicing.Outcome.DENIED ? null
                    : outcome == ResultPolicing.Outcome.REDACTED ? event.withData(new String(bytes(root), StandardCharsets.UTF_8)) : event;
        }
        if (outcome == ResultPolicing.Outcome.DENIED) {
            resultWithheld = true;
            exchange.resultWithheld();
            return event.withData(new String(bytes(rules.denial(call)), StandardCharsets.UTF_8));
        }
        return outcome == ResultPolicing.Outcome.REDACTED ? event.withData(new String(bytes(root), StandardCharsets.UTF_8)) : event;
    }

    /**
     * Result rules of the route's policy serving now, for what the server sends of its own (its requests, its
     * notifications, and on a GET stream any response: the stream was opened by no call they answer), so a stream
     * open across a reload is read as one opened after it, both ways (review AO). Null when that policy has none. A
     * volatile read and a map lookup per such message; the rules are made again only when the policy instance changed.
     */
    private McpResultRules servingRules() {
        CompiledPolicy now = exchange.currentPolicy();
        if (now == null) {
            // The route is gone (its server requests are denied, as with no policy): never fewer rules than the call's own.
            now = exchange.answerPolicy();
        }
        if (now != servingPolicy) {
            servingResults = now == exchange.answerPolicy() ? results
                    : McpResultRules.under(now, results, exchange, learnt, requestIds, resumedStream);
            servingPolicy = now;
        }
        return servingResults;
    }

    /**
     * Result rules for a response: on a POST's answer the call's own (its answer stays decided under the policy its
     * request was), on a GET stream the serving one's ({@link #servingRules}).
     */
    private McpResultRules answerRules() {
        return requestIds == null ? servingRules() : results;
    }

    /** Whether a response answers a request of this call (an error without an id answers a request the server could not read). */
    private boolean answersThisCall(JsonRpcResponse response) {
        return requestIds == null || response.id() == null || requestIds.contains(response.id().value());
    }

    private static ServerMessage.Unreadable wrongId(JsonRpcResponse response) {
        return new ServerMessage.Unreadable("wrong_id", "a response with id " + response.id().value()
                + ", which names no request of this call", null, false);
    }

    /**
     * Remembers which tool created the task a {@code tools/call} answer holds, so its tasks/* calls are decided as
     * that tool's. The request is looked up only for an answer that holds a task: no work for every other answer.
     */
    private void noteCreatedTask(JsonRpcResponse response) {
        if (response.id() == null || response.isError()) {
            return;
        }
        JsonNode taskId = response.result().path("task").get("taskId");
        if (taskId == null || !taskId.isTextual()) {
            return;
        }
        if (payload == null) {
            // On a GET stream (a resumed one, or a response to a call in flight): the task is this caller's, its tool the
            // call's in flight with that id when the stream is not a resumption, else the one its event id was sealed with,
            // else unknown (its results are then decided as of an unknown tool, fail closed).
            String tool = resumedStream ? exchange.resumedToolFor(response.id().value()) : sessionRequestIds.pendingTool(route, exchange.upstreamSessionId(), response.id().value());
            bindings.add(TaskOrigins.required(taskOrigins.learn(taskScope, taskId.textValue(), tool, CallerKey.of(identity), instance)));
            bindingAnswerId = response.id().value();
            return;
        }
        for (JsonRpcMessage message : payload.messages()) {
            if (message instanceof JsonRpcRequest request && request.id().value().equals(response.id().value())
                    && McpMethods.TOOLS_CALL.equals(request.method()) && request.params() != null
                    && request.params().path("name").isTextual()) {
                bindings.add(TaskOrigins.required(taskOrigins.learn(taskScope, taskId.textValue(), request.params().get("name").textValue(), CallerKey.of(identity), instance)));
                JsonNode token = request.params().path("_meta").get("progressToken");
                if (token != null && (token.isTextual() || token.isIntegralNumber())) {
                    taskProgressTokens.created(taskScope, taskId.textValue(), token);
                }
                bindingAnswerId = response.id().value();
                return;
            }
        }
    }

    /** Notes a task this answer created or showed ended: a running task holds a concurrency slot (RunningTasks). */
    private void noteTaskLifecycle(JsonRpcResponse response) {
        TaskLifecycle.Created created = TaskLifecycle.created(response);
        if (created != null) {
            exchange.taskCreated(created);
        }
        String ended = TaskLifecycle.ended(response, payload);
        if (ended != null) {
            exchange.taskEnded(ended);
        }
    }

    /** The requests whose stream carries a task's progress: the task's result, its status, the 2026 listen stream. */
    private static final Set<String> TASK_PROGRESS_STREAMS = Set.of(McpMethods.TASKS_RESULT, McpMethods.TASKS_GET, McpMethods.SUBSCRIPTIONS_LISTEN);

    /**
     * The tokens a POST's requests gave (as {@link HeldIds#keyOf} holds them). A POST that is one request whose stream carries a task's progress
     * ({@link #TASK_PROGRESS_STREAMS}) gets the token of the call that created the task (a task reports progress under
     * it for its whole life, MCP 2025-11-25), when this replica learnt it; null (no check) when it did not, or on a
     * listen stream, which names no task. Only a lone such request: one added to a batch beside a tools/call does not
     * lift the check for the call.
     */
    private Set<JsonNode> progressTokens(JsonRpcPayload payload) {
        if (payload instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request
                && TASK_PROGRESS_STREAMS.contains(request.method())) {
            JsonNode taskId = request.params() == null ? null : request.params().get("taskId");
            JsonNode token = taskId != null && taskId.isTextual() ? taskProgressTokens.of(taskScope, taskId.textValue()) : null;
            return token == null ? null : Set.of(token);
        }
        Set<JsonNode> tokens = new HashSet<>(2);
        for (JsonRpcMessage message : payload.messages()) {
            if (message instanceof JsonRpcRequest request && request.params() != null) {
                JsonNode token = request.params().path("_meta").get("progressToken");
                if (token != null && (token.isTextual() || token.isIntegralNumber())) {
                    tokens.add(HeldIds.keyOf(token)); // compared with the held form of a task's token
                }
            }
        }
        return tokens;
    }

    /**
     * A progress notification on a POST's stream that names no request of that POST by its token: a client hands it to
     * another call's progress handler (the TypeScript SDK's is keyed by token), though it was read here under this
     * call's tool, not that one's. Progress reports only on a request in flight that gave the token (MCP: tokens "MUST
     * only reference" an active request's).
     */
    private boolean progressOfAnotherCall(JsonRpcNotification notification, JsonNode root) {
        if (!McpMethods.NOTIFICATIONS_PROGRESS.equals(notification.method())) {
            return false;
        }
        if (!progressTokensRead) {
            progressTokensRead = true;
            progressTokens = payload == null ? null : progressTokens(payload);
        }
        return progressTokens != null && !progressTokens.contains(HeldIds.keyOf(root.path("params").path("progressToken")));
    }

    private static Set<JsonNode> requestIds(JsonRpcPayload payload) {
        Set<JsonNode> ids = new HashSet<>();
        for (JsonRpcMessage message : payload.messages()) {
            if (message instanceof JsonRpcRequest request) {
                ids.add(request.id().value());
            }
        }
        return ids;
    }

    /** The error a client gets in place of its call's answer when that answer could not be read. */
    private static ObjectNode unreadableResponseError(JsonNode id, ServerMessage.Unreadable why) {
        return errorInPlace(id, RejectReason.UPSTREAM_INVALID_RESPONSE, why.detail());
    }

    /** A JSON-RPC error response with a reject reason's code, message and reason, and the detail when there is one. */
    static final String STALE_CURSOR = "the upstream no longer pages from this cursor: start the listing again without one";

    private static ObjectNode errorInPlace(JsonNode id, RejectReason reason, String detail) {
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", id);
        ObjectNode error = response.putObject("error");
        error.put("code", reason.jsonRpcCode());
        error.put("message", reason.message());
        ObjectNode data = error.putObject("data");
        data.put("reason", reason.code());
        if (detail != null) {
            data.put("detail", detail);
        }
        return response;
    }

    private void refuse(RejectReason reason, ServerMessage.Unreadable why) {
        refusals.refused(reason, why);
        if (why.looksLikeRequest()) {
            answerUpstream.answer(why.salvagedId(), unreadableRequestAnswer(why, reason), null);
        }
    }

    /** The error the upstream gets for a request of its the gateway could not read and did not deliver. */
    private static ObjectNode unreadableRequestAnswer(ServerMessage.Unreadable why, RejectReason reason) {
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", why.salvagedId());
        ObjectNode error = response.putObject("error");
        error.put("code", JsonRpcErrorCodes.INVALID_REQUEST);
        error.put("message", "Invalid Request: the gateway could not read this request and did not deliver it");
        ObjectNode data = error.putObject("data");
        data.put("reason", reason.code());
        data.put("detail", why.reason());
        return response;
    }

    /** Whether the client's message or batch holds a tasks/list (a loop: this runs on every call). */
    static boolean asksForTasksList(JsonRpcPayload payload) {
        if (payload == null) {
            return false;
        }
        for (JsonRpcMessage message : payload.messages()) {
            if (message instanceof JsonRpcRequest request && McpMethods.TASKS_LIST.equals(request.method())) {
                return true;
            }
        }
        return false;
    }

    /** Filters a tools, prompts, resources or tasks list result for this caller; true when anything was removed or changed. */
    private boolean filterLists(JsonNode response) {
        return filterToolsList(response)
                | filterDefinitions(response, "prompts", "name", name -> CallDescription.mcpPromptGet(route, name, null))
                | filterDefinitions(response, "resources", "uri", uri -> dev.tollgate.protocols.mcp.ResourceUriForm.problem(uri) != null
                        ? null : CallDescription.mcpResourceRead(route, uri))
                | (clientListsTasks && filterTasksList(response)) | cachedPerCaller(response);
    }

    /**
     * Removes from a prompts/list or resources/list result the prompts and resources this caller can never get or read
     * (their prompts/get or resources/read is denied by request policy whatever its arguments and time), as tools/list
     * leaves out the tools it can never call: a denied resource's URI and description are not shown to the model, and a
     * client is not invited to a read it will be refused. An entry without a readable name or URI cannot be matched
     * against policy: it is not listed, nor is a resource whose read the gateway refuses whoever asks (a URI servers would
     * read as another resource's, {@code non_canonical_uri}: review CA, {@code FILE:///secret.txt} stayed listed beside a
     * rule denying {@code file:///secret.txt}). Resource templates are kept: whether a read of one is denied depends on
     * the URI the client fills in.
     *
     * @param probe the call a client would make for the entry named by its {@code key} member, without arguments; null
     *              when no such call would be forwarded
     */
    private boolean filterDefinitions(JsonNode response, String member, String key, java.util.function.Function<String, CallDescription> probe) {
        if (!(response.path("result") instanceof ObjectNode result) || !(result.get(member) instanceof ArrayNode entries)) {
            return false;
        }
        CompiledPolicy policy = exchange.policy();
        boolean removed = false;
        for (Iterator<JsonNode> it = entries.elements(); it.hasNext(); ) {
            JsonNode named = it.next().path(key);
            CallDescription call = named.isTextual() ? probe.apply(named.textValue()) : null;
            if (call == null || policy == null || !policy.mayEverCall(call, identity)) {
                it.remove();
                removed = true;
            }
        }
        return removed; // its cache hint is made private by cachedPerCaller, as every answer's
    }

    /**
     * Every answer the gateway relays was decided for this caller (its request, and result rules, under this caller's
     * identity): a 2026-07-28 {@code cacheScope: public} would let a client's shared cache serve it to another principal
     * the policy refuses, without reaching the gateway. Made private, its lifetime capped, as a filtered list's is.
     */
    private static boolean cachedPerCaller(JsonNode response) {
        return response != null && response.path("result") instanceof ObjectNode result && privateCacheHint(result);
    }

    /**
     * Keeps in a tasks/list result only the tasks this caller may see (see {@link #listedToCaller}) and drops entries
     * without a readable taskId, its cursor sealed to the caller; true when anything changed.
     */
    private boolean filterTasksList(JsonNode response) {
        if (!response.isObject() || !(response.path("result").get("tasks") instanceof ArrayNode tasks)) {
            return false;
        }
        String caller = CallerKey.of(identity);
        boolean removed = false;
        for (Iterator<JsonNode> it = tasks.elements(); it.hasNext(); ) {
            JsonNode taskId = it.next().get("taskId");
            if (taskId == null || !taskId.isTextual() || !listedToCaller(taskId.textValue(), caller)) {
                it.remove();
                removed = true;
            }
        }
        return sealCursor((ObjectNode) response.get("result")) | removed;
    }

    /**
     * The page's {@code nextCursor} as a cursor sealed to this caller (see {@link dev.tollgate.gateway.session.SealedSessions#sealCursor}):
     * servers page from the last task listed (the SDK's store: its id is the cursor), so the upstream's may name a task this
     * caller may not see (review N ended the listing there, which cut most listings short on a server many callers share).
     * A cursor longer than a seal holds ends the listing (no client cursor but a sealed one is forwarded). True when the
     * page changed.
     */
    private boolean sealCursor(ObjectNode result) {
        JsonNode cursor = result.get("nextCursor");
        if (cursor == null || !cursor.isTextual()) {
            return false;
        }
        try {
            result.put("nextCursor", exchange.snapshot().sessions().sealCursor(route, identity, cursor.textValue(), instance, java.time.Instant.now()));
        } catch (IllegalArgumentException tooLong) {
            result.remove("nextCursor");
        }
        return true;
    }

    /**
     * An identified caller sees only the tasks bound to it: a task bound to nobody may be another caller's whose
     * creating answer has not reached the gateway yet (the upstream lists a task as soon as it exists, with what the
     * call asked), or one created before a restart of a replica that kept its bindings in memory. An anonymous caller
     * binds nothing and sees the tasks no identified caller holds. As A2A ListTasks ({@link A2aTaskListFilter}).
     */
    private boolean listedToCaller(String taskId, String caller) {
        return caller == null ? !taskOrigins.boundToAnother(taskScope, taskId, null) : taskOrigins.boundTo(taskScope, taskId, caller);
    }

    /** Removes from a tools/list result the tools this caller can never call; true when anything was removed. */
    private boolean filterToolsList(JsonNode response) {
        if (!response.isObject() || !response.has("result")) {
            return false;
        }
        JsonNode tools = response.get("result").path("tools");
        if (!tools.isArray()) {
            return false;
        }
        // What each tool's arguments put in Mcp-Param-* headers (2026-07-28): learnt before filtering, from the whole list.
        paramHeaders.learn(route, tools);
        // And what each tool's schema says of its arguments (the values it allows where it names them, the defaults it fills,
        // the names it declares), as this session (or caller) was shown them.
        declaredEnums.learn(route, exchange.upstreamSessionId(), CallerKey.of(exchange.identity()), tools);
        boolean removed = hideUnreviewed(tools);
        CompiledPolicy policy = exchange.policy();
        for (Iterator<JsonNode> it = tools.elements(); it.hasNext(); ) {
            JsonNode tool = it.next();
            JsonNode name = tool.path("name");
            // A tool without a readable name cannot be matched against policy: it is not listed.
            if (!name.isTextual() || policy == null || !policy.mayEverCall(name.textValue(), identity)) {
                it.remove();
                removed = true;
            }
        }
        return privateCacheHint((ObjectNode) response.get("result")) | removed;
    }

    /**
     * Holds a tools list against the route's pin manifest: differences are noted for the call's audit record and span
     * (and logged once, counted), and on a route that hides them the unreviewed tools are left out. True when any was.
     * The list is also held against the manifests of the other routes to the same server (see
     * {@link GatewaySnapshot#pinningNeighbours}).
     *
     * <p>The manifests and neighbours are those of the configuration serving now, not of the one this exchange began
     * under: a session's GET stream (or subscriptions/listen stream) stays open for hours, and a list the server answers
     * on it after a reload added pinning, renewed the manifest or switched audit to hide is held to what a stream opened
     * after the reload would be (review BC; as {@link #servingRules} for result rules, review AO). Should the route be
     * gone or reach another server now, the stream is held to the route as it began (never fewer checks).
     */
    private boolean hideUnreviewed(JsonNode tools) {
        GatewaySnapshot began = exchange.snapshot();
        java.util.Set<String> reached = began.endpoints(route);
        pinWatch.remember(reached, dev.tollgate.gateway.pinning.PinnedDefinitions.Kind.TOOLS, tools);
        GatewaySnapshot serving = exchange.servingSnapshot();
        boolean sameServer = serving == began || serving.routes().named(route) != null && serving.reachesAny(route, reached);
        GatewaySnapshot pinning = sameServer ? serving : began;
        List<String> neighbours = serving == began ? began.pinningNeighbours(route)
                : serving.pinningRoutesReaching(reached, exchange.route().route().config().protocol(), route);
        for (String neighbour : neighbours) {
            pinWatch.observe(neighbour, serving.pins(neighbour), tools, serving.nameDetectors(neighbour));
        }
        RoutePins pins = pinning.pins(route);
        if (pins == null) {
            return false;
        }
        List<PinChange> changes = pinWatch.observe(route, pins, tools, pinning.nameDetectors(route));
        exchange.pinFindings(changes);
        if (changes.isEmpty() || !pins.hides()) {
            return false;
        }
        Set<String> unreviewed = new HashSet<>();
        changes.forEach(c -> unreviewed.add(c.name()));
        boolean removed = false;
        for (Iterator<JsonNode> it = tools.elements(); it.hasNext(); ) {
            if (unreviewed.contains(it.next().path("name").asText(null))) {
                it.remove();
                removed = true;
            }
        }
        return removed;
    }

    /**
     * An answer decided for this caller must not be served to another from a shared cache: a 2026-07-28 cache hint is
     * made private and its lifetime capped (a policy reload may change the decision). True when changed.
     */
    private static boolean privateCacheHint(ObjectNode result) {
        if (!result.has(CACHE_SCOPE) && !result.has(TTL_MS)) {
            return false;
        }
        boolean changed = !"private".equals(result.path(CACHE_SCOPE).asText(null));
        result.put(CACHE_SCOPE, "private");
        JsonNode ttl = result.get(TTL_MS);
        if (ttl == null || !ttl.canConvertToLong() || ttl.longValue() > MAX_FILTERED_LIST_TTL_MS || ttl.longValue() < 0) {
            result.put(TTL_MS, ttl != null && ttl.canConvertToLong() && ttl.longValue() >= 0
                    ? Math.min(ttl.longValue(), MAX_FILTERED_LIST_TTL_MS) : 0);
            changed = true;
        }
        return changed;
    }

    private static String describe(JsonRpcMessage message) {
        if (message instanceof JsonRpcRequest request) {
            return "a request (" + request.method() + ")";
        }
        if (message instanceof JsonRpcNotification notification) {
            return "a notification (" + notification.method() + ")";
        }
        return "a response";
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
