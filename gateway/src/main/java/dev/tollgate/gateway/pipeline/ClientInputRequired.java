package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.gateway.budget.Budgets;
import dev.tollgate.gateway.budget.CallCharge;
import dev.tollgate.policy.ApprovalTerms;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.mcp.McpRoutingHeaders;
import dev.tollgate.protocols.sse.SseEncoder;
import dev.tollgate.protocols.sse.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.time.Instant;

/**
 * Asking the user of a 2026-07-28 client for an approval ({@code ask-client}) as a 2026 server asks: that revision has
 * no server-to-client requests (the SDK v2 client drops {@link ClientElicitation}'s), so the held call is answered at
 * once with an {@code input_required} result whose {@code inputRequests} hold the same question under
 * {@value AskClientState#INPUT_KEY}, and a requestState the gateway sealed ({@link AskClientState}). The client asks its
 * user and retries the same call with the answer; {@link AskClientRetryStage} takes it. This answer is the gateway's:
 * nothing was forwarded, and the approval stays pending (approvers can decide, its timeout runs) until the retry comes;
 * so does the call's budget hold, parked for the retry ({@link #parkHold}).
 */
final class ClientInputRequired {

    private ClientInputRequired() {
    }

    /** Whether this call's client is asked the 2026 way: the rule asks the client, and the call is in the 2026 envelope. */
    static boolean applies(Exchange exchange, ApprovalTerms terms) {
        return terms != null && terms.askClient() && exchange.a2a() == null && exchange.payload() instanceof JsonRpcPayload.Single single
                && single.message() instanceof JsonRpcRequest request && McpMethods.TOOLS_CALL.equals(request.method())
                && McpRoutingHeaders.envelopeVersion(request) != null;
    }

    /**
     * Answers the held call with the question: JSON, or one SSE event when the client accepts only a stream.
     *
     * @param budgets where the call's budget hold is parked for the retry (null without budgets)
     */
    static void ask(Exchange exchange, PendingApproval approval, Budgets budgets) {
        JsonRpcRequest call = (JsonRpcRequest) ((JsonRpcPayload.Single) exchange.payload()).message();
        ObjectNode answer = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
        answer.set("id", call.id().value());
        ObjectNode result = answer.putObject("result").put("resultType", "input_required");
        ObjectNode question = result.putObject("inputRequests").putObject(AskClientState.INPUT_KEY).put("method", "elicitation/create");
        question.set("params", ClientElicitation.question(approval));
        Instant now = Instant.now();
        Instant expires = AskClientState.expiresFromNow(exchange, now);
        result.put("requestState", AskClientState.seal(exchange, call, approval, now, expires, parkHold(exchange, approval, budgets, expires)));
        // The gateway's answer, not the upstream's: the call's budget hold is not paid (review AS: it was read as "answered,
        // no result seen" and paid its estimate, and the approved retry paid again).
        exchange.askedInClient(true);
        String accept = exchange.request().getHeader(HttpHeaders.ACCEPT);
        boolean streamOnly = accept != null && accept.contains("text/event-stream") && !accept.contains("application/json");
        exchange.response().setStatusCode(200).putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        if (streamOnly) {
            exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                    .end(Buffer.buffer(SseEncoder.encode(SseEvent.data(answer.toString()))));
        } else {
            exchange.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(answer.toString());
        }
    }

    /**
     * Parks the budget hold the call secured when it was held ({@link PolicyStage}) for the retry to take over, as a held
     * 2025 call keeps its hold while a person decides: calls made meanwhile cannot spend it (review AW: it was released
     * with the question, and the approved retry was refused over budget). Released when the approval ends without a yes,
     * hold-expiry after it ends with one, or when the requestState expires (or hold-expiry after the approval's deadline),
     * whichever comes first; the retry that takes it over pays it if forwarded, releases it if refused.
     *
     * @return the reference to seal in the requestState, or null when the call holds nothing
     */
    private static String parkHold(Exchange exchange, PendingApproval approval, Budgets budgets, Instant expires) {
        if (budgets == null || exchange.charges().size() != 1) {
            return null;
        }
        CallCharge charge = exchange.charges().get(0);
        String ref = budgets.parkQuestionHold(charge, expires, approval.expiresAt());
        if (ref == null) {
            return null;
        }
        exchange.chargesHandedOn();
        approval.outcome().onComplete(ended -> {
            if (ended.failed() || ended.result() == null || !ended.result().allows()) {
                budgets.releaseQuestionHold(ref, charge.key());
            } else {
                budgets.questionApproved(ref, charge.key());
            }
        });
        return ref;
    }
}
