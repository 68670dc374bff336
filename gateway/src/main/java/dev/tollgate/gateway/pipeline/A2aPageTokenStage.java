package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.protocols.a2a.A2aCall;
import dev.tollgate.protocols.a2a.A2aInvalidRequest;
import dev.tollgate.protocols.a2a.A2aMethod;
import dev.tollgate.protocols.a2a.A2aPageTokens;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import io.vertx.core.Future;
import java.time.Instant;

/**
 * An A2A ListTasks page is asked for with the page token the gateway handed the caller ({@link A2aPageTokenSeal} seals
 * the agent's {@code nextPageToken} to the caller and route, as MCP {@code tasks/list} cursors are): the agent gets its own
 * token back, in a body (JSON-RPC) or query (HTTP+JSON) the gateway writes; from the
 * instance that listed the page. Any other token (made up, another caller's, another route's, expired, not a string) is
 * refused 400 invalid params in the call's binding and nothing is forwarded: the JavaScript SDK's token is
 * base64({@code timestamp|task id}) of the page's last task, whoever's, so a made-up one asks whether that task exists
 * (the page after it, or none). So is a token of this caller's sent with another listing's parameters (another
 * {@code status}, {@code contextId}, tenant...: see {@link dev.tollgate.protocols.a2a.A2aListing}): it asked whether the
 * other caller's task its page ended on passes that filter (review AH). A2A has no batches: the parse stage refuses them
 * before this stage.
 */
final class A2aPageTokenStage implements Stage {

    static final String CLIENT_DETAIL = "the page token is not one this gateway handed you for this listing (send the same filters"
            + " as for the page it came with, or start the listing again without one)";
    /** In place of the agent's error to a page asked for with a token the gateway unsealed (see A2aResponseFilter). */
    static final String STALE_DETAIL = "the agent no longer pages from this token: start the listing again without one";

    private final ErrorResponder errors;

    A2aPageTokenStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "a2a-page-token";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        A2aCall call = exchange.a2a() == null ? null : exchange.a2a().call();
        if (call == null || call.method() != A2aMethod.LIST_TASKS) {
            return StageResult.proceed();
        }
        boolean jsonRpc = call.binding() == A2aCall.Binding.JSONRPC;
        A2aPageTokens.Named named;
        try {
            // HTTP+JSON: the agent reads the query, whatever body a GET carries.
            named = jsonRpc ? A2aPageTokens.inParams(request(exchange).params()) : A2aPageTokens.inQuery(exchange.route().rawQuery());
        } catch (A2aInvalidRequest e) {
            return refused(exchange, e.getMessage());
        }
        if (named == null) {
            return StageResult.proceed();
        }
        JsonNode token = named.value();
        // Opened for the listing it was handed out for only: the seal's associated data holds that listing's digest.
        SealedSessions.Opened opened = !token.isTextual() ? null : exchange.snapshot().sessions().openCursor(exchange.route().route().name(),
                exchange.identity(), A2aPageTokenSeal.listing(exchange), token.textValue(), Instant.now());
        if (!(opened instanceof SealedSessions.Valid valid) || !SessionStage.holdsInstance(exchange, valid.instance())) {
            return refused(exchange, CLIENT_DETAIL);
        }
        if (jsonRpc) {
            exchange.forwardWithParam(request(exchange), named.member(), valid.upstreamId());
        } else {
            try {
                exchange.forwardWithQuery(A2aPageTokens.queryWith(exchange.route().rawQuery(), valid.upstreamId()));
            } catch (A2aInvalidRequest e) {
                return refused(exchange, e.getMessage()); // not reached: the query named the token just above
            }
        }
        exchange.forwardsUnsealedCursor();
        if (valid.instance() != null && exchange.pinnedUpstream() == null) {
            exchange.pinnedUpstream(valid.instance());
        }
        return StageResult.proceed();
    }

    /** The one JSON-RPC request (the parse stage let nothing else through on an A2A route). */
    private static JsonRpcRequest request(Exchange exchange) {
        return (JsonRpcRequest) ((JsonRpcPayload.Single) exchange.payload()).message();
    }

    private Future<StageResult> refused(Exchange exchange, String detail) {
        A2aErrors.respond(exchange, errors, RejectReason.INVALID_PARAMS, detail);
        return StageResult.responded();
    }
}
