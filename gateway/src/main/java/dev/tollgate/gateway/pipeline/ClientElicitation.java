package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.policy.ApprovalTerms;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.mcp.McpRoutingHeaders;
import dev.tollgate.protocols.sse.SseEncoder;
import dev.tollgate.protocols.sse.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * Asking the calling client's user for an approval (rules with {@code approval: {ask-client: true}}): the held
 * {@code tools/call}'s answer becomes an SSE stream, as Streamable HTTP lets a server answer any POST, and its first event
 * is an {@code elicitation/create} request with a yes/no form. The client answers it with a POST of its own, taken by
 * {@link ElicitationAnswerStage} and never forwarded; the approval ends with that answer unless an approver decided
 * first. The call's own answer, or its error, follows on the same stream. Approvers (webhook, admin API) can still
 * decide meanwhile: whoever decides first ends it.
 */
final class ClientElicitation {

    /** The JSON-RPC id of the gateway's elicitation for an approval: unguessable, as the approval id is. */
    static final String ID_PREFIX = "tollgate-approval-";

    /** The MCP session each open question was asked in: only an answer in the same session counts. */
    private static final java.util.Map<String, String> SESSIONS = new java.util.concurrent.ConcurrentHashMap<>();

    private ClientElicitation() {
    }

    /** Whether the user of this call's client is asked: the rule says so, and the call can carry an SSE answer. */
    static boolean applies(Exchange exchange, ApprovalTerms terms) {
        if (terms == null || !terms.askClient() || exchange.a2a() != null) {
            return false;
        }
        String accept = exchange.request().getHeader(HttpHeaders.ACCEPT);
        // A call in the 2026-07-28 envelope is asked the 2026 way (ClientInputRequired): that revision has no server-to-client
        // requests, and the SDK v2 client drops this one unanswered (review AE), so its user would never be asked.
        return accept != null && accept.contains("text/event-stream") && exchange.payload() instanceof JsonRpcPayload.Single single
                && single.message() instanceof JsonRpcRequest request && McpMethods.TOOLS_CALL.equals(request.method())
                && McpRoutingHeaders.envelopeVersion(request) == null;
    }

    /** Starts the call's answer as an SSE stream and sends the question. */
    static void ask(Exchange exchange, PendingApproval approval) {
        HttpServerResponse response = exchange.response();
        response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream").putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .setChunked(true);
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("id", ID_PREFIX + approval.id())
                .put("method", "elicitation/create");
        request.set("params", question(approval));
        String session = exchange.request().getHeader("Mcp-Session-Id");
        SESSIONS.put(approval.id(), session == null ? "" : session);
        approval.outcome().onComplete(done -> SESSIONS.remove(approval.id()));
        response.write(Buffer.buffer(SseEncoder.encode(SseEvent.data(request.toString()))));
    }

    /**
     * The question's {@code elicitation/create} params: the call as the approvers see it, and a yes/no form. The same for
     * a 2025 request and a 2026 input request ({@link ClientInputRequired}), so a user reads one question whatever the
     * client speaks.
     */
    static ObjectNode question(PendingApproval approval) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        String tool = approval.request().tool();
        // The call, not just its tool: the question carries its arguments as the approvers see them.
        params.put("message", ApprovalQuestion.text(approval.request()));
        ObjectNode schema = params.putObject("requestedSchema").put("type", "object");
        ObjectNode approve = schema.putObject("properties").putObject("approve");
        approve.put("type", "boolean").put("title", "Allow this call").put("description", "Call " + tool + " with the arguments shown");
        schema.putArray("required").add("approve");
        return params;
    }

    /** Whether an answer came in the session the question was asked in (a question nobody asked here: never). */
    static boolean sameSession(String approvalId, Exchange answer) {
        String asked = SESSIONS.get(approvalId);
        String session = answer.request().getHeader("Mcp-Session-Id");
        return asked != null && asked.equals(session == null ? "" : session);
    }

    /** The approval id an elicitation answer is for, or null when the id is not one of the gateway's. */
    static String approvalId(JsonNode id) {
        return id != null && id.isTextual() && id.textValue().startsWith(ID_PREFIX) ? id.textValue().substring(ID_PREFIX.length()) : null;
    }

    /** Whether an elicitation result says yes: accepted, with {@code approve: true}. */
    static boolean approves(JsonNode result) {
        return result != null && "accept".equals(result.path("action").asText()) && result.path("content").path("approve").asBoolean(false);
    }

    /** Writes a JSON-RPC message as the next event of an answer already turned into a stream, and ends it. */
    static void endWith(HttpServerResponse response, byte[] json) {
        response.end(Buffer.buffer(SseEncoder.encode(SseEvent.data(new String(json, StandardCharsets.UTF_8)))));
    }

    /** Whether a response's head went out as an SSE stream (the approval's question was sent on it). */
    static boolean streaming(HttpServerResponse response) {
        String type = response.headers().get(HttpHeaders.CONTENT_TYPE);
        return response.headWritten() && type != null && type.startsWith("text/event-stream");
    }

    /** Who a question in this exchange is put to, as the approval records it so any replica can check an answer. */
    static String asker(Exchange exchange) {
        return dev.tollgate.gateway.approval.Approvals.asker(dev.tollgate.policy.CallerKey.of(exchange.identity()),
                exchange.request().getHeader("Mcp-Session-Id"));
    }
}
