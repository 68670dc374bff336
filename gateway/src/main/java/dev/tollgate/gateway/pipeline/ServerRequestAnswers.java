package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.routing.UpstreamTarget;
import dev.tollgate.protocols.mcp.McpHeaders;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
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

    private final Exchange exchange;
    private final HttpClientAgent client;
    private final ErrorResponder errors;
    private final Supplier<String> upstreamSessionId;

    /** @param upstreamSessionId the session the upstream named in its answer, when the client's request had none */
    ServerRequestAnswers(Exchange exchange, HttpClientAgent client, ErrorResponder errors, Supplier<String> upstreamSessionId) {
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
        UpstreamTarget target = exchange.route().route().upstream();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host()).setPort(target.port())
                .setSsl(target.tls()).setURI(exchange.route().upstreamUri())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, "application/json, text/event-stream");
        String session = exchange.request().getHeader(McpHeaders.SESSION_ID);
        session = session != null ? session : upstreamSessionId.get();
        if (session != null) {
            options.putHeader(McpHeaders.SESSION_ID, session);
        }
        String version = exchange.request().getHeader(McpHeaders.PROTOCOL_VERSION);
        if (version != null) {
            options.putHeader(McpHeaders.PROTOCOL_VERSION, version);
        }
        Buffer body = Buffer.buffer(McpResponseFilter.bytes(errorResponse));
        client.request(options)
                .compose(request -> request.send(body))
                .compose(HttpClientResponse::body)
                .onFailure(e -> CallLogContext.log(exchange, () -> LOG.warn("could not answer server request {} upstream on route {}: {}",
                        id, exchange.route().route().name(), e.toString())));
    }
}
