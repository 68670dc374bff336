package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.protocols.mcp.McpHeaders;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MCP request naming a session ({@code Mcp-Session-Id}) goes on only if the session is the caller's own on
 * this route: the id must open (see {@link SealedSessions}) for this route and the identity the previous
 * stage established. Anything else is answered 404 {@code session_not_found} before the body is read, and the
 * upstream never sees it; the upstream's own id replaces the sealed one when the request is forwarded, to the
 * instance that issued it.
 * Runs on every verb: a borrowed session's GET stream or DELETE is refused like its POSTs.
 */
public final class SessionStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(SessionStage.class);
    /** What the client is told: how to recover, not which check failed (that would say whose the session is). */
    private static final String CLIENT_DETAIL = "unknown or expired session: start a new one with initialize";

    private final ErrorResponder errors;

    public SessionStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "session";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.a2a() != null) {
            return StageResult.proceed();
        }
        List<String> values = exchange.request().headers().getAll(McpHeaders.SESSION_ID);
        if (values.isEmpty()) {
            return StageResult.proceed();
        }
        String route = exchange.route().route().name();
        SealedSessions.Opened opened = values.size() > 1
                ? new SealedSessions.Unknown("more than one Mcp-Session-Id header")
                : exchange.snapshot().sessions().open(route, exchange.identity(), values.get(0).strip(), Instant.now());
        if (opened instanceof SealedSessions.Valid valid && holdsInstance(exchange, valid.instance())) {
            exchange.upstreamSessionId(valid.upstreamId());
            exchange.pinnedUpstream(valid.instance());
            return StageResult.proceed();
        }
        if (opened instanceof SealedSessions.Valid valid) {
            opened = new SealedSessions.Unknown(valid.instance() == null
                    ? "sealed without its upstream instance (an earlier version) and the route now has several"
                    : "the upstream instance " + valid.instance() + " that holds the session is no longer configured");
        }
        String detail = ((SealedSessions.Unknown) opened).detail();
        CallLogContext.log(exchange, () -> LOG.info("route {}: session refused ({})", route, detail));
        exchange.errorType(RejectReason.SESSION_NOT_FOUND.code());
        errors.respond(exchange.response(), RejectReason.SESSION_NOT_FOUND, null, CLIENT_DETAIL);
        return StageResult.responded();
    }

    /**
     * A session (or list cursor, requestState, page token, event id) sealed to an instance the route no longer lists is
     * gone with it. One naming no instance was sealed by an earlier version on a route of one instance (review AY: the
     * gateway now always seals the instance): it holds while the route still has one instance (which cannot be told
     * from another), and is unknown once the route has several, since nothing says which of them holds it.
     */
    static boolean holdsInstance(Exchange exchange, String instance) {
        var endpoints = exchange.route().route().config().upstreams().endpoints();
        if (instance == null) {
            return endpoints.size() == 1;
        }
        return endpoints.stream().anyMatch(endpoint -> endpoint.url().toString().equals(instance));
    }
}
