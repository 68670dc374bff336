package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.upstream.UpstreamClients;
import dev.tollgate.gateway.upstream.Upstreams;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.mcp.McpMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a {@code tools/call} to a tool no tools list through this process named is decided (after a restart, on
 * another replica: review CE, a client keeps the list it read), the gateway asks the upstream for the tools list itself
 * ({@link ToolListFetch}) and learns it as a passing list, so that {@link PolicyStage} checks the call's declared values
 * ({@link DeclaredEnums}) as if the client had listed through it. The call is held meanwhile, never forwarded before.
 * The list goes where the call will ({@link ChosenInstance}: its instance, failover, one balancing turn for both); when no
 * instance can be reached or none answers in time the call gets the answer its forwarding would have got
 * ({@code upstream_unavailable}, {@code upstream_timeout}). An upstream that answers, but not with a list the gateway can
 * read, refuses the call, 502 {@code tool_schema_unavailable} (fail closed); a list that answers
 * without the tool, or an upstream that does not list, lets it go on unchecked, as a tool never listed was before.
 * {@link ToolListAsks} bounds how often: one list per route and caller per interval, none for a route that does not list.
 */
final class ToolSchemaPrefetchStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(ToolSchemaPrefetchStage.class);

    private final Vertx vertx;
    private final UpstreamClients clients;
    private final Upstreams upstreams;
    private final UpstreamLearning learnt;
    private final ErrorResponder errors;

    ToolSchemaPrefetchStage(Vertx vertx, UpstreamClients clients, Upstreams upstreams, UpstreamLearning learnt, ErrorResponder errors) {
        this.vertx = vertx;
        this.clients = clients;
        this.upstreams = upstreams;
        this.learnt = learnt;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "tool-schema-prefetch";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.a2a() != null || !exchange.route().route().config().listsUnknownTools()) {
            return StageResult.proceed(); // off unless the route asks for it (list-unknown-tools)
        }
        String route = exchange.route().route().name();
        DeclaredEnums enums = learnt.declaredEnums();
        if (enums.asks().notListing(route)) {
            return StageResult.proceed(); // checked first: on such a route every call would end here, after more work
        }
        String unknown = null;
        for (McpMessage message : exchange.messages()) {
            // A tool this caller may never call (a route without a policy calls none) is denied by policy whatever its values:
            // no list could change that. A call naming no argument is listed for too: the tool may fill defaults it names.
            if (message instanceof McpMessage.ToolCall call && call.toolName() != null && !enums.knows(route, call.toolName())
                    && exchange.policy() != null && exchange.policy().mayEverCall(call.toolName(), exchange.identity())) {
                unknown = call.toolName();
                break;
            }
        }
        if (unknown == null) {
            return StageResult.proceed();
        }
        String caller = CallerKey.of(exchange.identity());
        ToolListAsks asks = enums.asks();
        String sentAs = sentAs(exchange);
        if (asks.settled(route, caller, sentAs)) {
            return StageResult.proceed();
        }
        String tool = unknown;
        String session = exchange.upstreamSessionId();
        Context context = Vertx.currentContext();
        Future<ToolListFetch.Outcome> shared = asks.ask(route, caller, sentAs, () -> upstreamToken(exchange).compose(token -> new ToolListFetch(vertx,
                exchange, clients.poolFor(exchange.route().route()), upstreams, tool, tools -> {
                    learnt.paramHeaders().learn(route, tools);
                    enums.learn(route, session, caller, tools);
                }).start(token)));
        // The list may be another call's, completing on its event loop: this call goes on on its own.
        Promise<ToolListFetch.Outcome> mine = Promise.promise();
        shared.onComplete(ar -> {
            if (context == null) {
                mine.handle(ar);
            } else {
                context.runOnContext(v -> mine.handle(ar));
            }
        });
        return mine.future().transform(ar -> {
            if (ar.succeeded()) {
                return StageResult.proceed();
            }
            // No upstream token, no instance reachable, no answer in time: the answer forwarding the call would have got.
            // tool_schema_unavailable is for an upstream that answered, but not with a list the gateway can read.
            RejectReason reason = ar.cause() instanceof NoUpstreamToken ? RejectReason.UPSTREAM_CREDENTIAL
                    : ar.cause() instanceof ToolListFetch.SessionGone ? RejectReason.SESSION_NOT_FOUND
                    : ar.cause() instanceof ToolListFetch.Unreachable unreachable ? unreachable.reason() : RejectReason.TOOL_SCHEMA_UNAVAILABLE;
            String why = ar.cause().getMessage() == null ? ar.cause().toString() : ar.cause().getMessage();
            CallLogContext.log(exchange, () -> LOG.warn("route {}: the tools list to check a call to {} could not be read, call refused: {}",
                    route, tool, why));
            exchange.errorType(reason.code());
            JsonNode id = exchange.messages().size() == 1 && exchange.messages().get(0) instanceof McpMessage.ToolCall call
                    ? call.id().value() : null;
            errors.respond(exchange.response(), reason, id, reason == RejectReason.UPSTREAM_CREDENTIAL
                    ? "route " + route + ": the gateway could not obtain the upstream's token" : why);
            return StageResult.responded();
        });
    }

    /**
     * What the gateway's own list is sent under besides the caller, so that only calls sent alike share one list: the
     * call's upstream session and a digest of the credentials forwarded with it (a route with no identity of its own
     * passes the client's Authorization on; every such client is the same caller, null). Null for neither.
     */
    private static String sentAs(Exchange exchange) {
        String session = exchange.upstreamSessionId();
        // Every header that may say who the upstream serves, not Authorization alone: an upstream may authenticate by
        // X-Api-Key or a cookie, and a list settles the calls sent alike (a limited key's list must not settle a full key's).
        java.util.TreeMap<String, java.util.List<String>> credentials = new java.util.TreeMap<>();
        exchange.request().headers().forEach(header -> {
            String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!NOT_CREDENTIALS.contains(name)) {
                credentials.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(header.getValue());
            }
        });
        if (session == null && credentials.isEmpty()) {
            return null;
        }
        String digest = "";
        if (!credentials.isEmpty()) {
            try {
                digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(credentials.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every Java platform has SHA-256
            }
        }
        return digest + '\u0000' + (session == null ? "" : session);
    }

    /**
     * Request headers that say nothing about whom the upstream serves (framing, negotiation, tracing, the MCP envelope,
     * the session, which {@link #sentAs} names apart): calls differing only in them are sent alike. A header outside
     * this set (one a client varies per call) only costs that client a list per call.
     */
    private static final java.util.Set<String> NOT_CREDENTIALS = java.util.Set.of("host", "content-length", "content-type", "accept",
            "accept-encoding", "accept-language", "connection", "keep-alive", "te", "transfer-encoding", "expect", "user-agent",
            "traceparent", "tracestate", "baggage", "x-request-id", "mcp-protocol-version", "mcp-session-id", "mcp-method",
            "mcp-name", "last-event-id", "date", "cache-control", "pragma", "origin", "referer");

    /** The upstream's own token on a route with an upstream credential, as the call's forwarding would get it. */
    private Future<String> upstreamToken(Exchange exchange) {
        var verifier = exchange.snapshot().oauth(exchange.route().route().name());
        if (verifier == null || verifier.upstreamTokens() == null) {
            return Future.succeededFuture(null);
        }
        return Future.fromCompletionStage(verifier.upstreamTokens().tokenFor(exchange.bearerToken()), vertx.getOrCreateContext())
                .recover(e -> Future.failedFuture(new NoUpstreamToken(e)));
    }

    /** The upstream token could not be had: refused as the call's forwarding refuses it. */
    private static final class NoUpstreamToken extends RuntimeException {
        NoUpstreamToken(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
