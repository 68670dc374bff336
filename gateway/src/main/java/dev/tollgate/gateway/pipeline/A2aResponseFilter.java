package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.A2aRouteConfig;
import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.a2a.A2aCardRewriter;
import dev.tollgate.protocols.a2a.A2aTarget;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.sse.SseEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import dev.tollgate.gateway.pinning.PinChange;
import dev.tollgate.gateway.pinning.PinWatch;
import dev.tollgate.gateway.pinning.RoutePins;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A2A answers on the way back. Agent cards (the public one, the HTTP+JSON extended card, and the result of
 * a JSON-RPC GetExtendedAgentCard) are read whole and rewritten for the caller ({@link A2aCardRewriter}):
 * interfaces moved to the gateway, signatures dropped, skills filtered by policy, security schemes
 * replaced when the gateway authenticates. A card the gateway cannot read is not passed on (it would lead
 * clients around the gateway): the caller gets 502. Everything else, SSE events included, passes through
 * untouched and unbuffered.
 */
final class A2aResponseFilter implements ResponseFilter {

    /** A rewritten card depends on the caller (skills), so shared caches must not keep it, and not for long. */
    static final long MAX_CARD_CACHE_SECONDS = 300;
    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)");
    private static final StrictJsonParser PARSER = new StrictJsonParser();
    /** The member a JSON answer that is no object (a string, an array) is decided under. */
    private static final String NON_OBJECT_ANSWER = "answer";

    private final Exchange exchange;
    private final ErrorResponder errors;
    private final A2aTaskLearner tasks;
    /**
     * Whether the answer may show a task starting or ending (a send, GetTask, CancelTask, SubscribeToTask): read for the
     * concurrency slot a running task holds (review Z).
     */
    private final boolean watchesTasks;
    /** For a ListTasks call: takes other callers' tasks out of the answer; null for any other call. */
    private final A2aTaskListFilter taskList;
    private final PinWatch pinWatch;
    private final TaskOrigins taskOrigins;
    /** Result policy for this call's answers (message sends, task reads, their streams); null when there is none to apply. */
    private final ResultPolicing results;
    /** Result policy for the card this call reads (its text and skills); null when it reads none, or there is none to apply. */
    private final CardPolicing card;
    /** Set once an event of this stream was denied: the client has the policy's error, nothing more is relayed. */
    private boolean resultWithheld;
    /** The bindings of the task and context this call's answer names that the shared store has yet to confirm. */
    private final PendingBindings bindings = new PendingBindings();
    /** The skills of the card being rewritten that are not the reviewed ones, on a route that hides them. */
    private final Set<String> hiddenSkills = new HashSet<>();

    A2aResponseFilter(Exchange exchange, ErrorResponder errors, UpstreamLearning learnt) {
        this.exchange = exchange;
        this.errors = errors;
        this.tasks = A2aTaskLearner.of(exchange, learnt.taskOrigins());
        this.watchesTasks = exchange.a2a().call() != null && TASK_SHOWING.contains(exchange.a2a().call().method());
        this.taskList = A2aTaskListFilter.of(exchange, learnt.taskOrigins());
        this.pinWatch = learnt.pins();
        this.taskOrigins = learnt.taskOrigins();
        this.results = exchange.a2a().call() == null ? null : ResultPolicing.of(exchange);
        ResultPolicing cardResults = exchange.a2a().returnsCard() ? ResultPolicing.of(exchange) : null;
        this.card = cardResults == null ? null : new CardPolicing(cardResults, exchange);
    }

    @Override
    public boolean rewritesJson() {
        return exchange.a2a().returnsCard() || tasks != null || taskList != null || results != null || watchesTasks;
    }

    @Override
    public ArrayNode batchDenials() {
        return null;
    }

    /** A ListTasks answer on a route whose bindings are shared: the owners of listed tasks not seen here are fetched first. */
    @Override
    public io.vertx.core.Future<Void> beforeRewrite(byte[] body) {
        if (taskList == null || !taskOrigins.shared()) {
            return io.vertx.core.Future.succeededFuture();
        }
        return taskOrigins.load(taskList.scope(), taskList.listedIds(body, jsonRpc()), List.of(),
                io.vertx.core.Vertx.currentContext());
    }

    /**
     * A message send's stream waits for the bindings of the task and context it names (with a shared store, their writes;
     * with any store, a binding refused past the tenant's share ends the stream in place of the event naming the id), and
     * with a shared store a ListTasks answered on a stream waits for the owners of the tasks it lists.
     */
    @Override
    public boolean waitsOnEvents() {
        return tasks != null || taskList != null && taskOrigins.shared();
    }

    /** A ListTasks event: the owners of its listed tasks not seen here are fetched first (as {@link #beforeRewrite}). */
    @Override
    public io.vertx.core.Future<Void> beforeEvent(SseEvent event) {
        if (taskList == null || !taskOrigins.shared() || event.data() == null || event.data().isEmpty()) {
            return io.vertx.core.Future.succeededFuture();
        }
        List<String> listed = taskList.listedIds(event.data().getBytes(java.nio.charset.StandardCharsets.UTF_8), jsonRpc());
        if (listed.isEmpty()) {
            return io.vertx.core.Future.succeededFuture();
        }
        return taskOrigins.load(taskList.scope(), listed, List.of(), io.vertx.core.Vertx.currentContext()).transform(ar -> {
            listUnchecked = ar.failed() ? ar.cause().getMessage() : null;
            return io.vertx.core.Future.succeededFuture();
        });
    }

    /**
     * Whether an answer is an error: an error status, or a JSON-RPC response carrying one (what a client reads as the
     * call's error). A 2xx body the gateway cannot read is left to the list filter, which refuses it.
     */
    private boolean errorAnswer(byte[] body, int status) {
        if (status / 100 != 2) {
            return true;
        }
        if (!jsonRpc()) {
            return false;
        }
        try {
            JsonNode root = PARSER.parse(body);
            return root.isObject() && root.hasNonNull("error");
        } catch (JsonRejection e) {
            return false;
        }
    }

    /** Why the owners of a streamed task list could not be read (its event is then replaced by the error); null while they could. */
    private String listUnchecked;

    private boolean jsonRpc() {
        return exchange.a2a().target() instanceof A2aTarget.JsonRpc;
    }

    /**
     * A ListTasks answered on a stream (not the protocol's shape, but a client reading SSE reads each event): every event
     * is filtered as a JSON answer is; one that is no readable list, or whose owners could not be read, is replaced by
     * the call's error and ends what the client gets of the stream.
     */
    private SseEvent filteredList(SseEvent event) {
        if (exchange.unsealedCursor() && errorAnswer(event.data().getBytes(java.nio.charset.StandardCharsets.UTF_8), 200)) {
            return streamEnded(event, RejectReason.INVALID_PARAMS, A2aPageTokenStage.STALE_DETAIL);
        }
        if (listUnchecked != null) {
            String why = listUnchecked;
            listUnchecked = null;
            return streamEnded(event, RejectReason.TASK_STORE_UNAVAILABLE, "the task store could not be read to filter the answer: " + why);
        }
        A2aTaskListFilter.Filtered filtered = taskList.filter(event.data().getBytes(java.nio.charset.StandardCharsets.UTF_8), jsonRpc());
        if (filtered instanceof A2aTaskListFilter.Unreadable unreadable) {
            return streamEnded(event, RejectReason.UPSTREAM_INVALID_RESPONSE, unreadable.detail());
        }
        return event.withData(new String(((A2aTaskListFilter.Visible) filtered).body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The call's error in place of this event; nothing more of the stream reaches the client. */
    private SseEvent streamEnded(SseEvent event, RejectReason reason, String detail) {
        resultWithheld = true;
        errors.count(reason);
        exchange.errorType(reason.code());
        return event.withData(new String(A2aErrors.body(exchange, reason, detail), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public io.vertx.core.Future<Void> bindingsWritten() {
        return bindings.take();
    }

    /** An event naming a new task or context is sent once they are bound in the shared store; else the store's error ends the stream. */
    @Override
    public io.vertx.core.Future<SseEvent> settle(SseEvent passed) {
        io.vertx.core.Future<Void> written = bindings.take();
        if (written.succeeded()) {
            return io.vertx.core.Future.succeededFuture(passed);
        }
        return written.transform(ar -> {
            if (ar.succeeded() || passed == null) {
                return io.vertx.core.Future.succeededFuture(passed);
            }
            // The ids are not handed out: nothing more of this stream either.
            return io.vertx.core.Future.succeededFuture(streamEnded(passed, RejectReason.TASK_STORE_UNAVAILABLE,
                    "the task or context the answer names could not be bound in the task store: " + ar.cause().getMessage()));
        });
    }

    @Override
    public byte[] rewriteJson(byte[] body, HttpServerResponse response) {
        if (!exchange.a2a().returnsCard()) {
            if (exchange.unsealedCursor() && errorAnswer(body, response.getStatusCode())) {
                // The agent's error about the page token the gateway unsealed may quote it, and the token names the page's
                // last task, perhaps another caller's (review AD, as for MCP cursors): the caller gets the gateway's own.
                return refused(response, RejectReason.INVALID_PARAMS, A2aPageTokenStage.STALE_DETAIL);
            }
            // A message send's answer, read to learn which task it created and, under result rules, decided before it is relayed;
            // the answers that may show a task start or end, read for its slot. One parse for both.
            boolean succeeded = response.getStatusCode() >= 200 && response.getStatusCode() < 300;
            if (tasks != null || watchesTasks && succeeded) {
                try {
                    JsonNode answer = A2aTaskLearner.answerOf(body);
                    if (watchesTasks && succeeded) {
                        noteTask(answer);
                    }
                    if (tasks != null) {
                        bindings.add(tasks.learnFrom(answer));
                    }
                } catch (A2aTaskLearner.UnreadableAnswer e) {
                    // A client reads a task or context only from a successful answer; one it could read otherwise is withheld.
                    if (tasks != null && succeeded) {
                        return refused(response, RejectReason.UPSTREAM_INVALID_RESPONSE, e.getMessage());
                    }
                }
            }
            if (taskList != null && response.getStatusCode() >= 200 && response.getStatusCode() < 300) {
                A2aTaskListFilter.Filtered filtered = taskList.filter(body, jsonRpc());
                if (filtered instanceof A2aTaskListFilter.Unreadable unreadable) {
                    return refused(response, RejectReason.UPSTREAM_INVALID_RESPONSE, unreadable.detail());
                }
                body = ((A2aTaskListFilter.Visible) filtered).body();
            }
            // Every answer a client may read is decided, whatever its status: 2xx bodies and JSON error bodies alike.
            return policedIfRuled(body, response);
        }
        if (response.getStatusCode() / 100 != 2) {
            // Errors carry no interfaces, but a JSON-RPC client reads their message as the call's error: held to the
            // result rules as every other A2A answer is. Any 2xx is a card to a client (fetch: response.ok).
            return policedIfRuled(body, response);
        }
        JsonNode root;
        try {
            root = PARSER.parse(body);
        } catch (JsonRejection e) {
            return invalid(response, "not JSON: " + e.getMessage());
        }
        boolean jsonRpc = exchange.a2a().target() instanceof A2aTarget.JsonRpc;
        if (jsonRpc && root.isObject() && root.hasNonNull("error")) {
            if (root.hasNonNull("result")) {
                // JSON-RPC allows one of the two, and clients differ on which they read: neither is relayed.
                return refused(response, RejectReason.UPSTREAM_INVALID_RESPONSE, "the answer carries both a result and an error");
            }
            return policedIfRuled(body, response);
        }
        // "error": null beside the card is no error (serializers write absent members as null): the card is read below.
        JsonNode card = jsonRpc ? root.path("result") : root;
        if (!card.isObject()) {
            return invalid(response, jsonRpc ? "result is not an object" : "not a JSON object");
        }
        if (!rewrite((ObjectNode) card)) {
            // Nothing a client could call through the gateway: a card with no interface left either names its agent in
            // a form the gateway does not read, or offers nothing but bindings and addresses it does not carry.
            return invalid(response, "the card names no interface the gateway carries (interfaces in gRPC, elsewhere than the "
                    + "route's upstream, or not in a form the gateway reads are dropped)");
        }
        if (this.card != null) {
            JsonNode id = exchange.a2a().jsonRpcId();
            if (this.card.police((ObjectNode) card, ResponseOutcome.keyOrNull(id), body.length)
                    == ResultPolicing.Outcome.DENIED) {
                // Neither the upstream's validators nor a cache lifetime may name the error in the card's place.
                response.headers().remove(HttpHeaders.ETAG).remove(HttpHeaders.LAST_MODIFIED);
                response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
                return withheld(response, this.card.denialMessage(id));
            }
        }
        byte[] out = McpResponseFilter.bytes(root);
        if (exchange.request().method() == HttpMethod.GET) {
            return cacheHeaders(response, out);
        }
        return out;
    }

    /** @return whether the card still names an interface (under the gateway) */
    private boolean rewrite(ObjectNode card) {
        RouteConfig route = exchange.route().route().config();
        A2aCardRewriter rewriter = new A2aCardRewriter(java.net.URI.create(exchange.upstreamInstance().url()), A2aRoutes.publicUrl(exchange));
        boolean gatewaySecurity = route.a2a().cardSecurity() == A2aRouteConfig.CardSecurity.GATEWAY;
        A2aCardRewriter.GatewayAuth auth = gatewaySecurity && route.axid() != AxidMode.OFF
                ? new A2aCardRewriter.GatewayAuth("tollgate-axid", AxidConfig.HEADER, route.axid() == AxidMode.REQUIRED || route.axid() == AxidMode.SINGLE_USE) : null;
        holdAgainstPins(card.get("skills"));
        A2aPushDecisions.withoutPush(card, exchange.policy()); // push configs are refused here under result rules (review BO)
        return rewriter.rewrite(card, this::skillVisible, auth, gatewaySecurity);
    }

    /** Compares the card's skills with the route's pin manifest (if it pins): findings noted, unreviewed skills hidden if so configured. */
    private void holdAgainstPins(JsonNode skills) {
        String route = exchange.route().route().name();
        RoutePins pins = exchange.snapshot().pins(route);
        if (skills == null || !skills.isArray()) {
            return;
        }
        // Also against the other routes to the same server that pin: the card read here is what the model knows.
        pinWatch.remember(exchange.snapshot().endpoints(route), dev.tollgate.gateway.pinning.PinnedDefinitions.Kind.SKILLS, skills);
        for (String neighbour : exchange.snapshot().pinningNeighbours(route)) {
            pinWatch.observe(neighbour, exchange.snapshot().pins(neighbour), skills, exchange.snapshot().nameDetectors(neighbour));
        }
        if (pins == null) {
            return;
        }
        List<PinChange> changes = pinWatch.observe(exchange.route().route().name(), pins, skills,
                exchange.snapshot().nameDetectors(exchange.route().route().name()));
        exchange.pinFindings(changes);
        if (pins.hides()) {
            changes.forEach(c -> hiddenSkills.add(c.name()));
        }
    }

    /**
     * A skill is listed when the caller may ever send it a message, streaming or not (like MCP tools/list), and it is
     * not an unreviewed skill on a route that hides those.
     */
    private boolean skillVisible(String skill) {
        CompiledPolicy policy = exchange.policy();
        if (policy == null || hiddenSkills.contains(skill)) {
            return false;
        }
        Identity identity = exchange.identity();
        for (CallDescription probe : A2aCallDescriber.skillProbes(exchange.route().route().name(), skill)) {
            if (policy.mayEverCall(probe, identity)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The upstream's ETag named the upstream's bytes; the gateway's version gets its own, and the gateway
     * answers a matching If-None-Match with 304 itself (the request's validators were not forwarded).
     */
    private byte[] cacheHeaders(HttpServerResponse response, byte[] out) {
        String etag = "\"tg-" + sha256(out).substring(0, 32) + "\"";
        long maxAge = MAX_CARD_CACHE_SECONDS;
        String upstreamCache = response.headers().get(HttpHeaders.CACHE_CONTROL);
        if (upstreamCache != null) {
            Matcher m = MAX_AGE.matcher(upstreamCache);
            if (m.find()) {
                maxAge = Math.min(maxAge, Long.parseLong(m.group(1).length() > 9 ? "999999999" : m.group(1)));
            }
            if (upstreamCache.contains("no-store")) {
                maxAge = 0;
            }
        }
        response.putHeader(HttpHeaders.ETAG, etag);
        response.putHeader(HttpHeaders.CACHE_CONTROL, maxAge == 0 ? "no-store" : "private, max-age=" + maxAge);
        response.headers().remove(HttpHeaders.LAST_MODIFIED);
        String ifNoneMatch = exchange.request().getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"))) {
            response.setStatusCode(304);
            response.headers().remove(HttpHeaders.CONTENT_TYPE);
            return new byte[0];
        }
        return out;
    }

    private byte[] invalid(HttpServerResponse response, String detail) {
        return refused(response, RejectReason.A2A_INVALID_AGENT_CARD, detail);
    }

    private static final java.util.Set<dev.tollgate.protocols.a2a.A2aMethod> TASK_SHOWING = java.util.EnumSet.of(
            dev.tollgate.protocols.a2a.A2aMethod.SEND_MESSAGE, dev.tollgate.protocols.a2a.A2aMethod.SEND_STREAMING_MESSAGE,
            dev.tollgate.protocols.a2a.A2aMethod.GET_TASK, dev.tollgate.protocols.a2a.A2aMethod.CANCEL_TASK,
            dev.tollgate.protocols.a2a.A2aMethod.SUBSCRIBE_TO_TASK);

    /**
     * Notes the task an answer (or event) shows: one a send started and that still runs holds its caller's slot until it
     * is seen done, in any later answer or event (RunningTasks, as MCP tasks).
     */
    private void noteTask(JsonNode answer) {
        A2aTaskStates.Seen seen = A2aTaskStates.seen(answer);
        if (seen == null) {
            return;
        }
        if (seen.terminal()) {
            exchange.taskEnded(seen.taskId());
        } else if (exchange.a2a().call().method() == dev.tollgate.protocols.a2a.A2aMethod.SEND_MESSAGE
                || exchange.a2a().call().method() == dev.tollgate.protocols.a2a.A2aMethod.SEND_STREAMING_MESSAGE) {
            exchange.taskCreated(new TaskLifecycle.Created(seen.taskId()));
        }
    }

    private byte[] refused(HttpServerResponse response, RejectReason reason, String detail) {
        errors.count(reason);
        exchange.errorType(reason.code());
        response.setStatusCode(reason.httpStatus());
        response.headers().remove(HttpHeaders.ETAG);
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        return A2aErrors.body(exchange, reason, detail);
    }

    @Override
    public SseEvent onEvent(SseEvent event) {
        if (resultWithheld) {
            return null;
        }
        if ((tasks != null || watchesTasks) && event.data() != null && !event.data().isEmpty()) {
            try {
                JsonNode answer = A2aTaskLearner.answerOf(event.data().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (watchesTasks) {
                    noteTask(answer);
                }
                if (tasks != null) {
                    bindings.add(tasks.learnFrom(answer));
                }
            } catch (A2aTaskLearner.UnreadableAnswer e) {
                if (tasks != null) {
                    return streamEnded(event, RejectReason.UPSTREAM_INVALID_RESPONSE, e.getMessage());
                }
            }
        }
        if (event.data() == null || event.data().isEmpty()) {
            return event;
        }
        if (taskList != null) {
            event = filteredList(event);
            if (resultWithheld) {
                return event; // the call's error: not decided as a result
            }
        }
        if (results == null) {
            return event;
        }
        byte[] data = event.data().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] policed = policed(data, null);
        return policed == data ? event : event.withData(new String(policed, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The answer as result rules decide it, or as it is on a call without them. */
    private byte[] policedIfRuled(byte[] body, HttpServerResponse response) {
        return results == null ? body : policed(body, response);
    }

    /**
     * An answer (or one stream event) held against the result rules: the JSON-RPC {@code result} or the whole HTTP+JSON
     * answer is the result (task, artifacts, status message, message parts). The bytes to relay: the input when it
     * passes, the redacted answer, or the policy's error (a stream then ends for the client). An answer that cannot be
     * read cannot be decided: refused the same way (fail closed).
     *
     * @param response the answer's response, to set the HTTP status of a refused HTTP+JSON answer; null for an event
     */
    private byte[] policed(byte[] body, HttpServerResponse response) {
        A2aExchange a2a = exchange.a2a();
        JsonNode root;
        try {
            root = PARSER.parse(body);
        } catch (JsonRejection e) {
            if (response != null && response.getStatusCode() / 100 != 2) {
                // An error page: a client makes its text the call's error (A2aErrorPages).
                return errorPage(A2aErrorPages.unparsed(body, e, response.headers(), results, exchange), response);
            }
            return withheld(response, "the answer is not JSON the gateway can read, so result rules cannot decide it");
        }
        // The whole answer is read, not only its result: an error's message, and a body carrying both result and error,
        // reach a model as well (clients differ on which they read).
        JsonNode result = root;
        if (!result.isObject()) {
            if (response != null && response.getStatusCode() / 100 != 2) {
                return errorPage(A2aErrorPages.value(body, root, results, exchange), response);
            }
            // No A2A answer, but a client still hands it on (the HTTP+JSON result, a stream's event) or shows it (the JSON-RPC
            // client's TypeError quotes a string): decided under a member of its own, as an error page's value is.
            result = JsonNodeFactory.instance.objectNode().set(NON_OBJECT_ANSWER, root);
        }
        String id = ResponseOutcome.keyOrNull(a2a.jsonRpcId());
        ResultPolicing.Outcome outcome = results.decide(CallDescription.a2aResult(exchange.route().route().name(),
                a2a.call().method().canonicalName(), a2a.call().skill(), result), id, body.length, true, response == null);
        if (outcome == ResultPolicing.Outcome.DENIED) {
            return withheld(response, results.denial(a2a.jsonRpcId()).path("error").path("message").asText());
        }
        // Redacted in place: a bare string is replaced in its wrapper, not in itself.
        return outcome == ResultPolicing.Outcome.REDACTED ? McpResponseFilter.bytes(root.isObject() ? root : result.get(NON_OBJECT_ANSWER)) : body;
    }

    /** The bytes to relay for an error status's body as {@link A2aErrorPages} decided it. */
    private byte[] errorPage(A2aErrorPages.Shown shown, HttpServerResponse response) {
        if (shown instanceof A2aErrorPages.Relayed relayed) {
            return relayed.body();
        }
        if (shown instanceof A2aErrorPages.Unreadable unreadable) {
            return refused(response, RejectReason.UPSTREAM_INVALID_RESPONSE, unreadable.detail());
        }
        // The page's type no longer describes the body: the policy's error is JSON.
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        return withheld(response, results.denial(exchange.a2a().jsonRpcId()).path("error").path("message").asText());
    }

    private byte[] withheld(HttpServerResponse response, String detail) {
        resultWithheld = response == null;
        exchange.errorType(RejectReason.RESULT_DENIED.code());
        if (response != null && exchange.a2a().restShaped()) {
            response.setStatusCode(A2aErrors.DENIED_STATUS);
        }
        // An HTTP+JSON answer (or stream event) says in its body the 403 it is refused with (review BO), as a denial does.
        return A2aErrors.deniedBody(exchange, RejectReason.RESULT_DENIED, detail);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
