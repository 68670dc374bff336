package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.a2a.A2aCall;
import dev.tollgate.protocols.a2a.A2aMethod;
import dev.tollgate.protocols.a2a.A2aTarget;

/**
 * What an A2A request is, once known: the target its path addressed (set by the verb stage), and after
 * parsing the call itself and, for JSON-RPC, the request id to echo in the gateway's own answers.
 *
 * @param call null for the public agent card (discovery, not policed) and until the body is parsed
 */
public record A2aExchange(A2aTarget target, A2aCall call, JsonNode jsonRpcId) {

    static A2aExchange of(A2aTarget target) {
        return new A2aExchange(target, null, null);
    }

    A2aExchange parsed(A2aCall call, JsonNode id) {
        return new A2aExchange(target, call, id);
    }

    /** True when the gateway's answers use the HTTP+JSON error shape rather than a JSON-RPC error. */
    public boolean restShaped() {
        return !(target instanceof A2aTarget.JsonRpc);
    }

    /** True when the answer is an agent card the gateway must rewrite (public or extended). */
    public boolean returnsCard() {
        return target instanceof A2aTarget.AgentCard || call != null && call.method() == A2aMethod.GET_EXTENDED_CARD;
    }
}
