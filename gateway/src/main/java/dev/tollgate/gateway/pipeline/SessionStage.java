package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.gateway.upstream.UpstreamInstance;
import dev.tollgate.gateway.upstream.UpstreamSet;
import dev.tollgate.gateway.upstream.Upstreams;
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
 * <p>
 * A session whose instance the route's health check has taken out (unhealthy after {@code unhealthy-after} failed
 * probes) is over as well, while another instance of the route is healthy: 404 {@code session_not_found} as above,
 * counted and logged as {@code session_instance_down}, nothing forwarded, so the client starts a new session, which a
 * healthy instance serves. Otherwise (the instance merely refuses a call, is passively ejected, the route has no
 * check, or no instance is healthy, when a new session would go nowhere better) its calls are forwarded and get
 * 502/504 while it is unreachable (see UpstreamCall.attemptFailed).
 */
public final class SessionStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(SessionStage.class);
    /** What the client is told: how to recover, not which check failed (that would say whose the session is). */
    private static final String CLIENT_DETAIL = "unknown or expired session: start a new one with initialize";
    /** The caller's own session (it opened): saying its instance is down tells nothing of anyone else's. */
    private static final String INSTANCE_DOWN_DETAIL = "the upstream instance that held this session is down: start a new one with initialize";

    private final ErrorResponder errors;
    private final Upstreams upstreams;

    public SessionStage(ErrorResponder errors, Upstreams upstreams) {
        this.errors = errors;
        this.upstreams = upstreams;
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
            if (takenOutByHealthCheck(exchange, valid.instance())) {
                CallLogContext.log(exchange, () -> LOG.info("route {}: session refused (its upstream instance {} is unhealthy after failed"
                        + " health probes; another instance is healthy)", route, valid.instance()));
                exchange.errorType(RejectReason.SESSION_INSTANCE_DOWN.code());
                errors.respondAs(exchange.response(), RejectReason.SESSION_INSTANCE_DOWN, RejectReason.SESSION_NOT_FOUND, null,
                        INSTANCE_DOWN_DETAIL);
                return StageResult.responded();
            }
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
     * Whether the session's instance is out by the route's active health check (its probes, not passive ejection: a
     * slow tool can fail calls of a healthy instance) while another of the route's instances is healthy. With none
     * healthy, calls go to every instance anyway (UpstreamSet's panic mode): a check wrong everywhere must not end every
     * session on every call, and a new session would land on an unhealthy instance all the same. Only on a verdict of
     * the check serving now: one a reload replaced keeps new calls away until the new probes decide, and ends no session.
     */
    private boolean takenOutByHealthCheck(Exchange exchange, String url) {
        var route = exchange.route().route();
        if (url == null || route.config().upstreams().healthCheck() == null) {
            return false;
        }
        UpstreamSet set = upstreams.of(route);
        UpstreamInstance instance = set.byUrl(url);
        if (instance == null || !instance.takenOutByServingCheck()) {
            return false;
        }
        for (UpstreamInstance other : set.instances()) {
            if (other != instance && other.probedHealthy()) {
                return true;
            }
        }
        return false;
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
