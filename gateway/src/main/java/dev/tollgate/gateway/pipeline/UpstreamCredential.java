package dev.tollgate.gateway.pipeline;

import java.util.function.BiConsumer;

/**
 * The credential a route's upstream gets from the gateway ({@code oauth.upstream-credential}: a fixed header, or the
 * token the identity stage obtained for this call), on every request the gateway sends it for a call: the call itself,
 * and the gateway's own answer to a server request it refused (review AY: that answer went without it, and an upstream
 * authenticating its callers refused it and waited). Never the client's token: it was for the gateway.
 */
final class UpstreamCredential {

    private UpstreamCredential() {
    }

    /** Hands {@code header} the credential's name and value, when the route has one for this call. */
    static void apply(Exchange exchange, BiConsumer<String, String> header) {
        var oauth = exchange.route().route().config().oauth();
        if (oauth == null) {
            return;
        }
        if (oauth.upstreamHeader() != null && oauth.upstreamValue() != null) {
            header.accept(oauth.upstreamHeader(), oauth.upstreamValue());
        } else if (exchange.upstreamToken() != null) {
            header.accept(oauth.upstreamHeader() == null ? "Authorization" : oauth.upstreamHeader(), "Bearer " + exchange.upstreamToken());
        }
    }
}
