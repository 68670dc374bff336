package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.Decision;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponses;
import java.io.IOException;
import java.util.Locale;

/**
 * The gateway's own answers on A2A routes. JSON-RPC calls get the usual JSON-RPC error (same codes and
 * reasons as MCP, -32010 for a denial). HTTP+JSON calls get what an A2A 1.0 REST client expects: an HTTP
 * error status with a google.rpc.Status body whose ErrorInfo carries the stable reason, and for a denial
 * the policy and rule, so the "why" is in the answer on both bindings.
 */
final class A2aErrors {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The google.rpc.ErrorInfo domain of the gateway's reasons (A2A's own use a2a-protocol.org). */
    static final String DOMAIN = "tollgate.dev";

    private A2aErrors() {
    }

    /** Answers a reject in the request's binding. */
    static void respond(Exchange exchange, ErrorResponder errors, RejectReason reason, String detail) {
        A2aExchange a2a = exchange.a2a();
        exchange.errorType(reason.code());
        if (a2a == null || !a2a.restShaped()) {
            errors.respond(exchange.response(), reason, a2a == null ? null : a2a.jsonRpcId(), detail);
            return;
        }
        errors.respondWith(exchange.response(), reason, reason.httpStatus(), body(exchange, reason, detail));
    }

    /** The error body for a reject in the request's binding (for answers written by someone else). */
    static byte[] body(Exchange exchange, RejectReason reason, String detail) {
        A2aExchange a2a = exchange.a2a();
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        if (detail != null) {
            metadata.put("detail", detail);
        }
        if (a2a == null || !a2a.restShaped()) {
            metadata.put("reason", reason.code());
            return JsonRpcResponses.error(a2a == null ? null : a2a.jsonRpcId(), reason.jsonRpcCode(), reason.message(), metadata);
        }
        return bytes(status(reason.httpStatus(), reason, reason.message(), metadata));
    }

    /**
     * The error body for a policy refusal written in place of someone else's answer (a withheld result, or stream event):
     * as {@link #body}, but an HTTP+JSON one says {@link #DENIED_STATUS} and {@code PERMISSION_DENIED}, the status it is
     * refused with, not the reason's JSON-RPC mapping (review BO: a withheld answer said 403 in its status line and
     * {@code "code": 200, "status": "INTERNAL"} in its body).
     */
    static byte[] deniedBody(Exchange exchange, RejectReason reason, String detail) {
        A2aExchange a2a = exchange.a2a();
        if (a2a == null || !a2a.restShaped()) {
            return body(exchange, reason, detail);
        }
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        if (detail != null) {
            metadata.put("detail", detail);
        }
        return bytes(status(DENIED_STATUS, reason, reason.message(), metadata));
    }

    /** The HTTP status of a denied HTTP+JSON call: 403, whatever the JSON-RPC mapping says. */
    static final int DENIED_STATUS = 403;

    /** The google.rpc.Status body for a denied HTTP+JSON call. */
    static byte[] restDenial(Decision decision) {
        ObjectNode data = (ObjectNode) PolicyDenials.error(decision).get("data");
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        data.fields().forEachRemaining(f -> metadata.put(f.getKey(), f.getValue().asText()));
        return bytes(status(DENIED_STATUS, PolicyDenials.reasonFor(decision), PolicyDenials.message(decision), metadata));
    }

    /** A google.rpc.Status body for an HTTP+JSON call: its ErrorInfo says the reason, with the metadata given (strings). */
    static byte[] restStatus(int httpStatus, RejectReason reason, String message, ObjectNode metadata) {
        return bytes(status(httpStatus, reason, message, metadata));
    }

    private static ObjectNode status(int httpStatus, RejectReason reason, String message, ObjectNode metadata) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", httpStatus);
        error.put("status", grpcStatus(httpStatus));
        error.put("message", message);
        ObjectNode info = error.putArray("details").addObject();
        info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        info.put("reason", reason.code().toUpperCase(Locale.ROOT));
        info.put("domain", DOMAIN);
        metadata.put("reason", reason.code());
        info.set("metadata", metadata);
        return root;
    }

    /** The canonical google.rpc code name for an HTTP status, as in the HTTP mapping of gRPC statuses. */
    static String grpcStatus(int httpStatus) {
        switch (httpStatus) {
            case 400:
            case 413:
            case 415:
                return "INVALID_ARGUMENT";
            case 401:
                return "UNAUTHENTICATED";
            case 403:
                return "PERMISSION_DENIED";
            case 404:
                return "NOT_FOUND";
            case 405:
                return "UNIMPLEMENTED";
            case 502:
            case 503:
                return "UNAVAILABLE";
            case 504:
                return "DEADLINE_EXCEEDED";
            default:
                return "INTERNAL";
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
