package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.routing.Route;
import java.util.Objects;

/**
 * Whether a reload since the call began gave its route other upstream instances, upstream mTLS or upstream credential
 * (review BB). The call's instances come from the serving configuration (a removed instance is never reached, nor its
 * meters brought back: review AY), its credential, TLS client and pins from the one it began under; mixed, a call whose
 * body came after such a reload went to the new server with the old server's credential, or to another instance than
 * the one its session lives on. Such a call is refused before anything is sent. A reload that removed the route leaves
 * the call to finish on what it began with, and one that changed nothing of this (a policy, another route) changes nothing.
 */
final class UpstreamMoved {

    private UpstreamMoved() {
    }

    static boolean since(Exchange exchange) {
        GatewaySnapshot serving = exchange.servingSnapshot();
        if (serving == exchange.snapshot()) {
            return false;
        }
        Route began = exchange.route().route();
        Route now = serving.routes().named(began.name());
        if (now == null) {
            return false;
        }
        return !serving.endpoints(began.name()).equals(exchange.snapshot().endpoints(began.name()))
                || !Objects.equals(now.config().upstreamTls(), began.config().upstreamTls())
                || !Objects.equals(now.config().oauth(), began.config().oauth());
    }
}
