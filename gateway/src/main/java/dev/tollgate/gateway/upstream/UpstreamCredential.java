package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.config.OAuthConfig;
import java.util.function.BiConsumer;

/**
 * The credential a route's upstream gets from the gateway ({@code oauth.upstream-credential}: a fixed header, or the
 * token the gateway obtained for it), on every request the gateway sends it: a call itself, the gateway's own answer to
 * a server request it refused (review AY: that answer went without it, and an upstream authenticating its callers
 * refused it and waited), and the health probes (an upstream refusing requests without it answered them 401, and its
 * instances were taken out of service). Never the client's token: it was for the gateway.
 */
public final class UpstreamCredential {

    private UpstreamCredential() {
    }

    /**
     * Hands {@code header} the credential's name and value, when the route has one.
     *
     * @param oauth         the route's {@code oauth}; null for none (then nothing is set)
     * @param upstreamToken the upstream's token the gateway obtained (client credentials, token exchange); null for none
     */
    public static void apply(OAuthConfig oauth, String upstreamToken, BiConsumer<String, String> header) {
        if (oauth == null) {
            return;
        }
        if (oauth.upstreamHeader() != null && oauth.upstreamValue() != null) {
            header.accept(oauth.upstreamHeader(), oauth.upstreamValue());
        } else if (upstreamToken != null) {
            header.accept(oauth.upstreamHeader() == null ? "Authorization" : oauth.upstreamHeader(), "Bearer " + upstreamToken);
        }
    }
}
