package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.a2a.A2aCall;
import dev.tollgate.protocols.a2a.A2aListing;
import dev.tollgate.protocols.a2a.A2aPageTokens;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import java.time.Instant;

/**
 * The next-page token of a ListTasks answer as the caller gets it: sealed to this caller and route
 * ({@link SealedSessions#sealCursor}, the shape of an MCP tasks/list cursor), with the instance that listed the page. The JavaScript SDK's token is base64({@code timestamp|task id}) of the page's last task, whoever's:
 * relayed raw it handed out another caller's task id, and ended the listing when the gateway dropped it (review N).
 * Sealed, it says nothing and the listing goes on. {@link A2aPageTokenStage} opens it, for the same listing only
 * ({@link A2aListing}: the filters, the tenant, the binding): replayed under another filter, a token ending on another
 * caller's task told whether that task passes it (review AH).
 */
final class A2aPageTokenSeal {

    private final SealedSessions sessions;
    private final String route;
    private final Identity caller;
    /** The digest of the listing the page belongs to. */
    private final byte[] listing;
    /** The instance that answered. */
    private final String instance;

    private A2aPageTokenSeal(SealedSessions sessions, String route, Identity caller, byte[] listing, String instance) {
        this.sessions = sessions;
        this.route = route;
        this.caller = caller;
        this.listing = listing;
        this.instance = instance;
    }

    /** For the answer to this exchange (made once it was forwarded: the instance that answered is known). */
    static A2aPageTokenSeal of(Exchange exchange) {
        // The instance whatever the number of instances: a reload may scale the route out (review AY).
        String instance = exchange.upstreamInstance() != null ? exchange.upstreamInstance().url() : null;
        return new A2aPageTokenSeal(exchange.snapshot().sessions(), exchange.route().route().name(), exchange.identity(),
                listing(exchange), instance);
    }

    /**
     * The listing a ListTasks exchange asks for, as the client sent it (the gateway's rewrite only swaps the token, which
     * the digest leaves out): its params over JSON-RPC (A2A has no batches: one request), its path and query over HTTP+JSON.
     */
    static byte[] listing(Exchange exchange) {
        if (exchange.a2a().call().binding() == A2aCall.Binding.JSONRPC) {
            return A2aListing.ofParams(((JsonRpcRequest) ((JsonRpcPayload.Single) exchange.payload()).message()).params());
        }
        return A2aListing.ofQuery(exchange.route().remainder(), exchange.route().rawQuery());
    }

    /**
     * Seals the page's next-page tokens in place; true when the page changed. The empty string (the protocol's "no more
     * pages") stays as it is. A token that is no string, or too long to seal, is taken out: the caller could send back
     * no token but a sealed one, so its listing ends there.
     */
    boolean sealIn(ObjectNode page) {
        boolean changed = false;
        for (String member : A2aPageTokens.NEXT_PAGE_MEMBERS) {
            JsonNode token = page.get(member);
            if (token == null || token.isNull() || token.isTextual() && token.textValue().isEmpty()) {
                continue;
            }
            changed = true;
            if (!token.isTextual()) {
                page.remove(member);
                continue;
            }
            try {
                page.put(member, sessions.sealCursor(route, caller, listing, token.textValue(), instance, Instant.now()));
            } catch (IllegalArgumentException tooLong) {
                page.remove(member);
            }
        }
        return changed;
    }
}
