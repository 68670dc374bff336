package dev.tollgate.gateway.errors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes the gateway's own answers: HTTP status from the {@link RejectReason}, a JSON-RPC error body
 * with the stable reason in {@code error.data.reason}, and one increment of that reason's counter.
 */
public final class ErrorResponder {

    private final GatewayMetrics metrics;

    public ErrorResponder(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * @param id     the JSON-RPC id to echo when the request's id is known, else null
     * @param detail a precise, short explanation (never echoes request content at length); may be null
     */
    /** @return completes when the answer has been written (or immediately when it could not be) */
    public Future<Void> respond(HttpServerResponse response, RejectReason reason, JsonNode id, String detail) {
        return respond(response, reason, reason.httpStatus(), id, detail);
    }

    /** As above with an explicit HTTP status (a reason answered with another status where it arises elsewhere). */
    public Future<Void> respond(HttpServerResponse response, RejectReason reason, int httpStatus, JsonNode id, String detail) {
        metrics.rejected(reason);
        return write(response, reason, httpStatus, id, detail);
    }

    /**
     * Answers as {@code answered} (its status, JSON-RPC code and {@code error.data.reason}: what clients act on) a reject
     * counted as {@code counted} (a finer reason operators tell apart, e.g. {@link RejectReason#SESSION_INSTANCE_DOWN}).
     */
    public Future<Void> respondAs(HttpServerResponse response, RejectReason counted, RejectReason answered, JsonNode id, String detail) {
        metrics.rejected(counted);
        return write(response, answered, answered.httpStatus(), id, detail);
    }

    private Future<Void> write(HttpServerResponse response, RejectReason reason, int httpStatus, JsonNode id, String detail) {
        if (openStream(response)) {
            ObjectNode data = JsonNodeFactory.instance.objectNode().put("reason", reason.code());
            if (detail != null) {
                data.put("detail", detail);
            }
            return endStream(response, JsonRpcResponses.error(id, reason.jsonRpcCode(), reason.message(), data));
        }
        if (response.headWritten() || response.ended() || response.closed()) {
            // Too late for a status line: the client already has part of an answer. Cut the connection so
            // it cannot mistake a truncated stream for a complete one.
            if (!response.ended() && !response.closed()) {
                response.reset();
            }
            return Future.succeededFuture();
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("reason", reason.code());
        if (detail != null) {
            data.put("detail", detail);
        }
        byte[] body = JsonRpcResponses.error(id, reason.jsonRpcCode(), reason.message(), data);
        return response.setStatusCode(httpStatus)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(body));
    }

    /** Counts a reject answered elsewhere (e.g. a denied server-to-client request answered upstream). */
    public void count(RejectReason reason) {
        metrics.rejected(reason);
    }

    /** Answers with a body built by the caller (a policy denial, a batch of them), counted under {@code reason}. */
    public void respondWith(HttpServerResponse response, RejectReason reason, byte[] jsonBody) {
        respondWith(response, reason, reason.httpStatus(), jsonBody);
    }

    /** As above with an explicit HTTP status (A2A HTTP+JSON answers carry their status in the status line). */
    public void respondWith(HttpServerResponse response, RejectReason reason, int httpStatus, byte[] jsonBody) {
        metrics.rejected(reason);
        if (openStream(response)) {
            endStream(response, jsonBody);
            return;
        }
        if (response.headWritten() || response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(httpStatus)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(jsonBody));
    }

    /**
     * An answer already sent as an SSE stream that is still open (a call held for its client's approval asked its
     * question on it): the error goes as the stream's last event, which a client reads as the call's answer.
     */
    private static boolean openStream(HttpServerResponse response) {
        String type = response.headers().get(HttpHeaders.CONTENT_TYPE);
        return response.headWritten() && !response.ended() && !response.closed() && type != null && type.startsWith("text/event-stream");
    }

    private static Future<Void> endStream(HttpServerResponse response, byte[] json) {
        return response.end(Buffer.buffer(dev.tollgate.protocols.sse.SseEncoder.encode(
                dev.tollgate.protocols.sse.SseEvent.data(new String(json, java.nio.charset.StandardCharsets.UTF_8)))));
    }
}
