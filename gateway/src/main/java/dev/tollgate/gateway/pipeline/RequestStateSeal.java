package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.RequestStateCall;
import java.time.Instant;

/**
 * The {@code requestState} of an answer (MCP 2026-07-28 {@code input_required}) as relayed: the upstream's replaced by one
 * sealed to this caller, this route and the call the answer answers ({@link SealedSessions#sealRequestState}), which the
 * client sends back on its retry and {@link RequestStateStage} opens. Behind the gateway every caller is the same one to
 * the upstream, so only the gateway can bind a state to its caller; and the retry is decided on its arguments, so the
 * state must belong to those arguments. A state that cannot be sealed is not relayed at all (an unsealed one would be
 * refused on the retry, and relaying it would let the client hold the upstream's raw state): one that is not a string,
 * one longer than {@link SealedSessions#MAX_REQUEST_STATE_BYTES}, one on an answer whose call this POST did not carry (a GET
 * stream's). An answer asking for input on a call an approval let through is relayed with a state of its own kind, whether
 * or not the upstream sent one ({@link ApprovedContinuation}).
 */
final class RequestStateSeal {

    private static final String INPUT_REQUIRED = "input_required";

    /** Why an answer's requestState cannot be sealed: the answer is replaced by an upstream error. */
    static final class Unsealable extends Exception {
        Unsealable(String message) {
            super(message, null, false, false);
        }
    }

    private final SealedSessions sessions;
    private final String route;
    private final Identity caller;
    /** The upstream instance that answered. */
    private final String instance;
    /** What this call POSTed (null on a GET stream): the call each answer answers, by id. */
    private final JsonRpcPayload payload;
    /** The approved call this one is ({@link ApprovedContinuation#approvedIn}); null when no approval let it through. */
    private final ApprovedContinuation.Origin approved;

    RequestStateSeal(SealedSessions sessions, String route, Identity caller, String instance, JsonRpcPayload payload) {
        this(sessions, route, caller, instance, payload, null);
    }

    /** @param approved the approved call this POST's one call is, or null */
    RequestStateSeal(SealedSessions sessions, String route, Identity caller, String instance, JsonRpcPayload payload,
                     ApprovedContinuation.Origin approved) {
        this.sessions = sessions;
        this.route = route;
        this.caller = caller;
        this.instance = instance;
        this.payload = payload;
        this.approved = approved;
    }

    /**
     * Seals the requestState of one response in place.
     *
     * @return true when the response changed (it carried a state), false when it carries none
     * @throws Unsealable when it carries one the gateway cannot seal
     */
    boolean sealIn(JsonNode response) throws Unsealable {
        if (!(response.path("result") instanceof ObjectNode result)) {
            return false;
        }
        if (approved != null && (result.has(RequestStateStage.REQUEST_STATE) || INPUT_REQUIRED.equals(result.path("resultType").asText(null)))) {
            return sealApproved(response, result);
        }
        if (!result.has(RequestStateStage.REQUEST_STATE)) {
            return false;
        }
        JsonNode state = result.get(RequestStateStage.REQUEST_STATE);
        if (!state.isTextual()) {
            throw new Unsealable("the upstream's requestState is not a string");
        }
        JsonRpcRequest request = requestAnswered(response.get("id"));
        if (request == null) {
            throw new Unsealable("a requestState on an answer to no request of this call: the gateway cannot bind it to a call");
        }
        try {
            result.put(RequestStateStage.REQUEST_STATE, sessions.sealRequestState(route, caller,
                    RequestStateCall.of(request.method(), request.params()), state.textValue(), instance, Instant.now()));
        } catch (IllegalArgumentException tooLong) {
            throw new Unsealable("the upstream's requestState is longer than the " + SealedSessions.MAX_REQUEST_STATE_BYTES
                    + " bytes the gateway seals to its caller");
        }
        return true;
    }

    /**
     * The answer to a call an approval let through, asking for input (review BT): relayed with a state naming the
     * approval and this round ({@link ApprovedContinuation}), with the upstream's own state inside when it sent one, so
     * the retry carrying the user's answer to the tool is taken as part of the approved call, not held again.
     */
    private boolean sealApproved(JsonNode response, ObjectNode result) throws Unsealable {
        JsonNode state = result.get(RequestStateStage.REQUEST_STATE);
        if (state != null && !state.isTextual()) {
            throw new Unsealable("the upstream's requestState is not a string");
        }
        JsonRpcRequest request = requestAnswered(response.get("id"));
        if (request == null) {
            if (state == null) {
                return false; // an answer to no request of this POST: nothing to carry on
            }
            throw new Unsealable("a requestState on an answer to no request of this call: the gateway cannot bind it to a call");
        }
        if (state != null && state.textValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > SealedSessions.MAX_REQUEST_STATE_BYTES) {
            throw new Unsealable("the upstream's requestState is longer than the " + SealedSessions.MAX_REQUEST_STATE_BYTES
                    + " bytes the gateway seals to its caller");
        }
        Instant now = Instant.now();
        ApprovedContinuation next = ApprovedContinuation.next(approved, now.plus(sessions.maxAge()), state == null ? null : state.textValue());
        result.put(RequestStateStage.REQUEST_STATE, sessions.sealApprovedRequestState(route, caller,
                RequestStateCall.of(request.method(), request.params()), next.written(), instance, now));
        return true;
    }

    private JsonRpcRequest requestAnswered(JsonNode id) {
        if (payload == null || id == null) {
            return null;
        }
        for (JsonRpcMessage message : payload.messages()) {
            if (message instanceof JsonRpcRequest request && request.id().value().equals(id)) {
                return request;
            }
        }
        return null;
    }
}
