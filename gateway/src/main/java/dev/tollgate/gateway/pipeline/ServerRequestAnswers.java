package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.routing.UpstreamTarget;
import dev.tollgate.gateway.upstream.UpstreamCredential;
import dev.tollgate.protocols.mcp.McpHeaders;
import io.vertx.core.buffer.Buffer;
import dev.tollgate.gateway.upstream.RoutePool;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a server-to-client request the client never received (denied by policy, or unreadable) to the
 * upstream on the client's behalf, POSTed in the same session, so the upstream's pending call fails
 * cleanly instead of hanging.
 */
final class ServerRequestAnswers implements McpResponseFilter.UpstreamAnswerer {

    private static final Logger LOG = LoggerFactory.getLogger(ServerRequestAnswers.class);
    /**
     * Answers one exchange may have on their way at once: a stream of denied requests must not fill the
     * route's connection pool (other callers would wait) nor grow the heap; past it, requests go unanswered.
     */
    static final int MAX_ANSWERS_IN_FLIGHT = 8;
    /** An answer the upstream does not take within this is abandoned, freeing its pooled connection. */
    static final long ANSWER_IDLE_TIMEOUT_MILLIS = 10_000;

    private int inFlight;

    private final Exchange exchange;
    private final RoutePool client;
    private final ErrorResponder errors;
    private final Supplier<String> upstreamSessionId;

    /** @param upstreamSessionId the session the upstream named in its answer, when the client's request had none */
    ServerRequestAnswers(Exchange exchange, RoutePool client, ErrorResponder errors, Supplier<String> upstreamSessionId) {
        this.exchange = exchange;
        this.client = client;
        this.errors = errors;
        this.upstreamSessionId = upstreamSessionId;
    }

    @Override
    public void answer(JsonNode id, ObjectNode errorResponse, RejectReason countAs) {
        if (countAs != null) {
            errors.count(countAs);
        }
        if (inFlight >= MAX_ANSWERS_IN_FLIGHT) {
            CallLogContext.log(exchange, () -> LOG.warn("route {}: {} answers to server requests already in flight; request {} left unanswered",
                    exchange.route().route().name(), inFlight, id));
            return;
        }
        inFlight++;
        // The instance that sent the request holds the session it belongs to.
        UpstreamTarget target = exchange.upstreamInstance().target();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host()).setPort(target.port())
                .setSsl(target.tls()).setURI(exchange.route().upstreamUri(target))
                .setIdleTimeout(ANSWER_IDLE_TIMEOUT_MILLIS)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, "application/json, text/event-stream");
        String session = exchange.upstreamSessionId();
        session = session != null ? session : upstreamSessionId.get();
        if (session != null) {
            options.putHeader(McpHeaders.SESSION_ID, session);
        }
        String version = exchange.request().getHeader(McpHeaders.PROTOCOL_VERSION);
        if (version != null) {
            options.putHeader(McpHeaders.PROTOCOL_VERSION, version);
        }
        // The upstream's own credential, as on the call that brought its request (review AY): an upstream that
        // authenticates its callers would refuse the answer, and its request would hang until its own timeout.
        UpstreamCredential.apply(exchange.route().route().config().oauth(), exchange.upstreamToken(), options::putHeader);
        Buffer body = Buffer.buffer(McpResponseFilter.bytes(errorResponse));
        // The upstream's reply is read to its end and dropped, never buffered.
        client.request(options)
                .compose(request -> request.send(body))
                .compose(HttpClientResponse::end)
                .onComplete(ar -> inFlight--)
                .onFailure(e -> CallLogContext.log(exchange, () -> LOG.warn("could not answer server request {} upstream on route {}: {}",
                        id, exchange.route().route().name(), e.toString())));
    }
}
