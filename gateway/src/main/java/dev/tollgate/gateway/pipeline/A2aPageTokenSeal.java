package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.a2a.A2aPageTokens;
import java.time.Instant;

/**
 * The next-page token of a ListTasks answer as the caller gets it: sealed to this caller and route
 * ({@link SealedSessions#sealCursor}, the shape of an MCP tasks/list cursor), with the instance that listed the page on a
 * route with several. The JavaScript SDK's token is base64({@code timestamp|task id}) of the page's last task, whoever's:
 * relayed raw it handed out another caller's task id, and ended the listing when the gateway dropped it (review N).
 * Sealed, it says nothing and the listing goes on. {@link A2aPageTokenStage} opens it.
 */
final class A2aPageTokenSeal {

    private final SealedSessions sessions;
    private final String route;
    private final Identity caller;
    /** The instance that answered, on a route with several; null on a route with one. */
    private final String instance;

    private A2aPageTokenSeal(SealedSessions sessions, String route, Identity caller, String instance) {
        this.sessions = sessions;
        this.route = route;
        this.caller = caller;
        this.instance = instance;
    }

    /** For the answer to this exchange (made once it was forwarded: the instance that answered is known). */
    static A2aPageTokenSeal of(Exchange exchange) {
        boolean several = exchange.route().route().config().upstreams().endpoints().size() > 1;
        String instance = several && exchange.upstreamInstance() != null ? exchange.upstreamInstance().url() : null;
        return new A2aPageTokenSeal(exchange.snapshot().sessions(), exchange.route().route().name(), exchange.identity(), instance);
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
                page.put(member, sessions.sealCursor(route, caller, token.textValue(), instance, Instant.now()));
            } catch (IllegalArgumentException tooLong) {
                page.remove(member);
            }
        }
        return changed;
    }
}
