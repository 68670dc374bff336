package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.http.ForwardedHeaders;
import dev.tollgate.gateway.http.HopByHopHeaders;
import dev.tollgate.gateway.routing.UpstreamTarget;
import dev.tollgate.gateway.upstream.RoutePool;
import dev.tollgate.gateway.upstream.UpstreamCredential;
import dev.tollgate.gateway.upstream.UpstreamInstance;
import dev.tollgate.gateway.upstream.UpstreamSet;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import dev.tollgate.protocols.mcp.McpHeaders;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.mcp.McpRoutingHeaders;
import dev.tollgate.protocols.mcp.ServerMessage;
import dev.tollgate.protocols.mcp.ServerMessageReader;
import dev.tollgate.protocols.sse.SseDecoder;
import dev.tollgate.protocols.sse.SseEvent;
import dev.tollgate.protocols.sse.SseFramingException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The gateway's own {@code tools/list} to a route's upstream, asked on behalf of a call to a tool nothing was learnt of
 * ({@link ToolSchemaPrefetchStage}): sent as the call itself would be forwarded (its instance, session, protocol version
 * and credentials, so a server listing per caller shows this caller's view; on MCP 2026-07-28 its {@code _meta} and
 * {@code Mcp-Method}), read as strictly as a passing answer ({@link ServerMessageReader}), every page learnt as a passing
 * page is ({@code learn}), {@code nextCursor} followed up to {@link #MAX_PAGES} pages and {@link #MAX_BYTES} bytes, all
 * within {@link #TIMEOUT_MILLIS} (or the route's response timeout when shorter). Never forwards the caller's call.
 * <p>The instance is chosen as {@link UpstreamCall} chooses the call's (the session's or task's instance, else the route's
 * balancing), and the call is then forwarded to the instance the list reached ({@link ChosenInstance}): one balancing turn
 * for both. An instance that gives no connection is left for the next one, as forwarding fails over; when none is left,
 * or the list outlives its time, the fetch fails with {@link Unreachable} carrying the reason the call's forwarding would
 * have been answered with ({@code upstream_unavailable}, {@code upstream_connect_timeout}, {@code upstream_timeout}).
 */
final class ToolListFetch {

    /** Pages one fetch follows: a server paging without end is not followed past it (what was learnt stays). */
    static final int MAX_PAGES = 20;
    /** Bytes read over all pages: a list larger than this is not a list the gateway reads. */
    static final long MAX_BYTES = 8L << 20;
    /** The whole fetch, every page included. */
    static final long TIMEOUT_MILLIS = 10_000;

    /** How a fetch ended. */
    sealed interface Outcome {
        /** The upstream listed (every page learnt, up to the bounds); {@code named} says whether the tool asked for was listed. */
        record Listed(boolean named) implements Outcome {
        }

        /** The upstream answered but lists no tools: a JSON-RPC error (method not found) or a result with no tools array. */
        record NotListing(String why) implements Outcome {
        }
    }

    /**
     * No instance gave the list a connection, or the list outlived its time: the call is answered as its forwarding
     * would have been ({@code reason}), never {@code tool_schema_unavailable}, which says an upstream answered a broken list.
     */
    static final class Unreachable extends RuntimeException {
        private final dev.tollgate.gateway.errors.RejectReason reason;

        Unreachable(dev.tollgate.gateway.errors.RejectReason reason, String detail, Throwable cause) {
            super(detail, cause, false, false);
            this.reason = reason;
        }

        dev.tollgate.gateway.errors.RejectReason reason() {
            return reason;
        }
    }

    /** The upstream answered the list 404 in the call's session: the session is over there. */
    static final class SessionGone extends RuntimeException {
        SessionGone() {
            super("the upstream no longer knows this session", null, false, false);
        }
    }

    private final Vertx vertx;
    private final Exchange exchange;
    private final RoutePool pool;
    private final UpstreamSet instances;
    private final dev.tollgate.gateway.upstream.Upstreams upstreams;
    /** The instance the list is sent to (all its pages), and those that gave no connection before it. */
    private UpstreamInstance instance;
    private final java.util.List<UpstreamInstance> tried = new java.util.ArrayList<>(1);
    private final String tool;
    private final Consumer<JsonNode> learn;
    private final ServerMessageReader reader;
    private final Promise<Outcome> done = Promise.promise();
    /**
     * A number (servers and their fixtures read numeric ids most simply) a JavaScript server reads exactly (under 2^53),
     * random so that it is not a request id the client has in flight in the same session.
     */
    private final long id = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 52, 1L << 53);
    private long bytes;
    private int pages;
    private boolean named;
    private HttpClientRequest current;

    /** @param learn called with each page's tools array, as a passing list's tools are learnt */
    ToolListFetch(Vertx vertx, Exchange exchange, RoutePool pool, dev.tollgate.gateway.upstream.Upstreams upstreams, String tool,
                  Consumer<JsonNode> learn) {
        this.vertx = vertx;
        this.exchange = exchange;
        this.pool = pool;
        this.upstreams = upstreams;
        this.instances = upstreams.of(exchange.route().route());
        this.tool = tool;
        this.learn = learn;
        this.reader = new ServerMessageReader(exchange.snapshot().jsonRpc());
    }

    /** @param upstreamToken the upstream's own token on a route with an upstream credential, else null */
    Future<Outcome> start(String upstreamToken) {
        // Not longer than the call itself would have waited for its answer: a list that outlives that is the call's timeout.
        long timeoutMillis = Math.min(TIMEOUT_MILLIS, exchange.route().route().config().responseTimeout().toMillis());
        long timer = vertx.setTimer(timeoutMillis, t -> {
            if (done.tryFail(new Unreachable(dev.tollgate.gateway.errors.RejectReason.UPSTREAM_TIMEOUT, "route " + route() + ": upstream "
                    + (instance == null ? "" : instance.url() + " ") + "sent no tools list within " + timeoutMillis + " ms", null))
                    && current != null) {
                current.reset();
            }
        });
        done.future().onComplete(v -> vertx.cancelTimer(timer));
        // Registered before anyone else reads the outcome: the call learns where to go before it goes on.
        done.future().onSuccess(v -> exchange.chosenInstance(new ChosenInstance(instances, instance, tried)));
        // The call's own choice (UpstreamCall.attemptFirst): its session's or task's instance, else the route's next turn.
        String pinned = exchange.pinnedUpstream();
        instance = pinned == null ? null : instances.byUrl(pinned);
        if (instance == null) {
            instance = instances.pick(null);
        }
        page(null, upstreamToken);
        return done.future();
    }

    private String route() {
        return exchange.route().route().name();
    }

    /**
     * No connection to the instance: nothing was sent, so the list goes on to another instance as the call's forwarding
     * would (not for a session's or task's instance, nor once a page was read there: its cursor is that instance's).
     */
    private void connectFailed(Throwable cause, String cursor, String upstreamToken) {
        UpstreamInstance failedOn = instance;
        // Counted against the instance as the call's failed attempt would have been (passive ejection).
        instances.answered(failedOn, true);
        tried.add(failedOn);
        UpstreamInstance next = exchange.pinnedUpstream() != null || pages > 0 ? null : instances.pick(tried);
        if (next != null && !done.future().isComplete()) {
            upstreams.retried(route());
            instance = next;
            page(cursor, upstreamToken);
            return;
        }
        var reason = dev.tollgate.gateway.upstream.UpstreamFailures.classify(cause);
        done.tryFail(new Unreachable(reason, "route " + route() + ": upstream " + failedOn.url() + " "
                + dev.tollgate.gateway.upstream.UpstreamFailures.describe(reason, cause, exchange.route().route().config()), cause));
    }

    private void page(String cursor, String upstreamToken) {
        if (instance == null) {
            done.tryFail("no upstream instance");
            return;
        }
        UpstreamTarget target = instance.target();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host()).setPort(target.port())
                .setSsl(target.tls()).setURI(exchange.route().upstreamUri(target))
                .setConnectTimeout(exchange.route().route().config().connectTimeout().toMillis());
        Buffer body = Buffer.buffer(McpResponseFilter.bytes(request(cursor)));
        pool.request(options).onComplete(ar -> {
            if (ar.failed()) {
                connectFailed(ar.cause(), cursor, upstreamToken);
                return;
            }
            HttpClientRequest request = ar.result();
            if (done.future().isComplete()) {
                request.reset();
                return;
            }
            current = request;
            headers(request.headers(), upstreamToken);
            request.send(body).onComplete(res -> {
                if (res.failed()) {
                    done.tryFail(res.cause());
                } else {
                    read(res.result(), upstreamToken);
                }
            });
        });
    }

    /** The JSON-RPC request: a gateway-chosen id; on 2026-07-28 the call's own protocol {@code _meta} (that revision's). */
    private ObjectNode request(String cursor) {
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("id", id).put("method", McpMethods.TOOLS_LIST);
        ObjectNode params = request.putObject("params");
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        JsonNode meta = callMeta();
        if (meta != null) {
            ObjectNode kept = params.putObject("_meta");
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                // Only what the 2026-07-28 revision requires of every request (review CK: a related-task key made the server
                // answer the list with an error, or queue it on the task).
                if (LIST_META_KEYS.contains(field.getKey())) {
                    kept.set(field.getKey(), field.getValue());
                }
            }
        }
        return request;
    }

    /** The {@code _meta} keys a 2026-07-28 request carries for the protocol itself: copied from the call, nothing else. */
    private static final java.util.Set<String> LIST_META_KEYS = java.util.Set.of("io.modelcontextprotocol/protocolVersion",
            "io.modelcontextprotocol/clientInfo", "io.modelcontextprotocol/clientCapabilities");

    private JsonNode callMeta() {
        for (var message : exchange.messages()) {
            if (message instanceof dev.tollgate.protocols.mcp.McpMessage.ToolCall call && call.meta() != null && call.meta().isObject()) {
                return call.meta();
            }
        }
        return null;
    }

    /** The call's end-to-end headers as UpstreamCall sends them, for a list: no body-naming or conditional header of the call's. */
    private void headers(MultiMap headers, String upstreamToken) {
        var inbound = exchange.request();
        HopByHopHeaders.copyEndToEnd(inbound.headers(), headers, UpstreamCall.REQUEST_HEADERS_SET_BY_GATEWAY_AND_AXID);
        var axid = exchange.snapshot().config().axid();
        if (axid != null && axid.forward() == dev.tollgate.gateway.config.AxidConfig.Forward.PASS && exchange.verifiedAxid() != null) {
            headers.set(dev.tollgate.gateway.config.AxidConfig.HEADER, exchange.verifiedAxid());
        }
        ForwardedHeaders.set(inbound, headers);
        var oauth = exchange.route().route().config().oauth();
        if (oauth != null) {
            headers.remove(HttpHeaders.AUTHORIZATION);
            UpstreamCredential.apply(oauth, upstreamToken, headers::set);
        }
        headers.remove(McpHeaders.SESSION_ID).remove(McpHeaders.LAST_EVENT_ID).remove(McpRoutingHeaders.MCP_NAME);
        if (exchange.upstreamSessionId() != null) {
            headers.set(McpHeaders.SESSION_ID, exchange.upstreamSessionId());
        }
        if (headers.contains(McpRoutingHeaders.MCP_METHOD)) {
            headers.set(McpRoutingHeaders.MCP_METHOD, McpMethods.TOOLS_LIST); // 2026-07-28: the header mirrors this body
        }
        headers.set(HttpHeaders.CONTENT_TYPE, "application/json").set(HttpHeaders.ACCEPT, "application/json, text/event-stream");
        headers.remove(HttpHeaders.ACCEPT_ENCODING).remove(HttpHeaders.IF_MATCH).remove("If-Unmodified-Since").remove("If-Range")
                .remove("Range").remove(HttpHeaders.IF_NONE_MATCH).remove(HttpHeaders.IF_MODIFIED_SINCE);
    }

    private void read(HttpClientResponse response, String upstreamToken) {
        if (response.statusCode() == 404 && exchange.upstreamSessionId() != null) {
            // The upstream no longer knows the call's session (it restarted): the call gets what it would have got, a 404
            // its client answers by starting a new session, never a 502 it would retry in the dead session for ever.
            response.end();
            done.tryFail(new SessionGone());
            return;
        }
        if (response.statusCode() < 200 || response.statusCode() > 299) {
            response.end();
            done.tryFail("the upstream answered the tools list " + response.statusCode());
            return;
        }
        String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
        boolean sse = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
        SseDecoder decoder = sse ? new SseDecoder() : null;
        Buffer whole = sse ? null : Buffer.buffer();
        // Once this page's answer is read, what else its stream does (the reset ending it) is not this fetch's failure.
        boolean[] over = {false};
        response.handler(chunk -> {
            if (over[0]) {
                return;
            }
            bytes += chunk.length();
            if (bytes > MAX_BYTES) {
                over[0] = true;
                done.tryFail("the upstream's tools list passed " + MAX_BYTES + " bytes");
                response.request().reset();
                return;
            }
            if (!sse) {
                whole.appendBuffer(chunk);
                return;
            }
            try {
                for (SseEvent event : decoder.feed(chunk.getBytes())) {
                    if (event.data() != null && !event.data().isEmpty() && answered(event.data().getBytes(StandardCharsets.UTF_8), upstreamToken)) {
                        over[0] = true;
                        response.request().reset(); // the answer is in: the rest of the stream is not waited for
                        return;
                    }
                }
            } catch (SseFramingException e) {
                over[0] = true;
                done.tryFail("the upstream's tools list stream cannot be read: " + e.getMessage());
                response.request().reset();
            }
        });
        response.exceptionHandler(e -> {
            if (!over[0]) {
                done.tryFail(e);
            }
        });
        response.endHandler(v -> {
            if (over[0]) {
                return;
            }
            over[0] = true;
            if (sse) {
                done.tryFail("the upstream's tools list stream ended without an answer");
            } else if (!answered(whole.getBytes(), upstreamToken)) {
                done.tryFail("the upstream's tools list answer is not a JSON-RPC response");
            }
        });
    }

    /** Reads one JSON message: true when it was the answer (then the fetch goes on or ends), false to keep reading. */
    private boolean answered(byte[] json, String upstreamToken) {
        if (done.future().isComplete()) {
            return true;
        }
        if (!(reader.read(json, false) instanceof ServerMessage.Read read)) {
            done.tryFail("the upstream's tools list answer cannot be read");
            return true;
        }
        if (read.array()) {
            // A batch never asked for: readable, and no tools list (an upstream answering every POST with one body).
            done.tryComplete(new Outcome.NotListing("the upstream answered the tools list with a batch"));
            return true;
        }
        JsonRpcMessage message = read.messages().get(0);
        if (!(message instanceof JsonRpcResponse response)) {
            return false; // a request or notification before the answer on a stream: not what was asked for
        }
        JsonNode answering = response.id() == null ? null : response.id().value();
        if (answering == null || !answering.isIntegralNumber() || answering.longValue() != id) {
            // Not the answer to this list (an upstream answering every POST with one body, a load test's): nothing learnt.
            done.tryComplete(new Outcome.NotListing("the upstream answered the tools list with another request's id"));
            return true;
        }
        if (response.error() != null) {
            // Only "method not found" says the upstream does not list (remembered for the route). Any other error may follow
            // from what this caller sent (review CK: a _meta the server refused, -32602, turned the check off for everyone for
            // a minute): the call is refused and nothing is remembered.
            if (response.error().code() == -32601) {
                done.tryComplete(new Outcome.NotListing("the upstream answered the tools list with error -32601"));
            } else {
                done.tryFail("the upstream answered the tools list with error " + response.error().code());
            }
            return true;
        }
        JsonNode result = read.root().get("result");
        JsonNode tools = result == null ? null : result.get("tools");
        if (tools == null || !tools.isArray()) {
            // An upstream answering every POST with one body (a load test's): it lists nothing the gateway can learn.
            done.tryComplete(new Outcome.NotListing("the upstream's tools list answer holds no tools array"));
            return true;
        }
        learn.accept(tools);
        for (JsonNode each : tools) {
            named |= tool.equals(each.path("name").asText(null));
        }
        pages++;
        // Every page, even once the tool was seen: what this caller was not shown is not asked for again in the interval,
        // so a tool on a later page must be learnt now.
        JsonNode cursor = result.get("nextCursor");
        if (cursor == null || !cursor.isTextual() || pages >= MAX_PAGES) {
            done.tryComplete(new Outcome.Listed(named));
        } else {
            page(cursor.textValue(), upstreamToken);
        }
        return true;
    }
}
