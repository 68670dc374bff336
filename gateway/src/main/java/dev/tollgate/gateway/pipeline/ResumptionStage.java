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
 * An MCP request resuming a stream ({@code Last-Event-ID}) goes on only with an event id the gateway relayed to this
 * caller on this route: the client holds sealed ids (see {@link SealedSessions#sealEventId}), and the upstream gets its
 * own id back, and the stream's results are decided as those of the tool whose call it answered (sealed in the id).
 * Anything else is answered 400 {@code unknown_event_id} and never forwarded. Session ids bind a resumed
 * GET to its session already; this binds it to the events: an upstream whose event store replays any session's events
 * by id (one store for all sessions, as the Python SDK's session manager keeps, ids a counter) would otherwise replay
 * another caller's stream, results and server requests included, to whoever names one of its ids.
 * An empty value is dropped: the SDKs read it as no Last-Event-ID, and it is not forwarded.
 */
public final class ResumptionStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(ResumptionStage.class);
    /** What the client is told: not which check failed (that would say whose stream it was). */
    private static final String CLIENT_DETAIL = "Last-Event-ID is not an event id this gateway relayed to this caller: open a new stream";

    private final ErrorResponder errors;

    public ResumptionStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "resumption";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        // Most calls resume nothing: a lookup, no list.
        // Only a GET resumes a stream (review W: a POST carrying another stream's id had its own stream's ids sealed with
        // that stream's tool). Elsewhere the header is never opened, and UpstreamCall forwards none.
        if (exchange.a2a() != null || exchange.request().method() != io.vertx.core.http.HttpMethod.GET
                || !exchange.request().headers().contains(McpHeaders.LAST_EVENT_ID)) {
            return StageResult.proceed();
        }
        List<String> values = exchange.request().headers().getAll(McpHeaders.LAST_EVENT_ID);
        if (values.size() == 1 && values.get(0).strip().isEmpty()) {
            return StageResult.proceed(); // UpstreamCall forwards no Last-Event-ID but the one opened here
        }
        String route = exchange.route().route().name();
        SealedSessions.Opened opened = values.size() > 1
                ? new SealedSessions.Unknown("more than one Last-Event-ID header")
                : exchange.snapshot().sessions().openEventId(route, exchange.identity(), values.get(0).strip(), Instant.now());
        if (opened instanceof SealedSessions.Event event && writerServes(exchange, event.instance())) {
            exchange.upstreamLastEventId(event.upstreamId());
            exchange.resumedCall(event.call());
            if (event.instance() != null && exchange.pinnedUpstream() == null) {
                // Review AY: the stream is in the event store of the instance that wrote it; a session pins it there already.
                exchange.pinnedUpstream(event.instance());
            }
            return StageResult.proceed();
        }
        String detail = opened instanceof SealedSessions.Event event
                ? "the upstream instance " + event.instance() + " that wrote the stream is not one of the route's"
                : opened instanceof SealedSessions.Unknown unknown ? unknown.detail() : "a session id, not an event id";
        CallLogContext.log(exchange, () -> LOG.info("route {}: stream resumption refused ({})", route, detail));
        exchange.errorType(RejectReason.UNKNOWN_EVENT_ID.code());
        errors.respond(exchange.response(), RejectReason.UNKNOWN_EVENT_ID, null, CLIENT_DETAIL);
        return StageResult.responded();
    }

    /**
     * Whether the instance that wrote the stream still serves the route: one no longer configured took its event store
     * with it. An id naming none (sealed by an earlier version) is resumed where a session pins it, or on a route of one
     * instance (as it was then); on a route of several without a session nothing says which instance holds it.
     */
    private static boolean writerServes(Exchange exchange, String instance) {
        if (instance == null && exchange.pinnedUpstream() != null) {
            return true;
        }
        return SessionStage.holdsInstance(exchange, instance);
    }
}
