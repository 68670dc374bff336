package dev.tollgate.gateway.config;

import java.net.URI;
import java.util.Set;

/**
 * Reads a route's {@code oauth: {resource, issuer, jwks-url, jwks-max-stale, required-scopes, scopes-supported,
 * clock-skew, upstream-credential: {header, value}}}.
 */
final class OAuthReader {

    static final Set<String> FIELDS = Set.of("resource", "issuer", "jwks-url", "required-scopes", "scopes-supported", "clock-skew",
            "upstream-credential", "introspection", "jwks-max-stale");
    static final Set<String> INTROSPECTION_FIELDS = Set.of("url", "client-id", "client-secret");
    static final Set<String> CREDENTIAL_FIELDS = Set.of("header", "value", "client-credentials", "token-exchange");
    static final Set<String> GRANT_FIELDS = Set.of("token-url", "client-id", "client-secret", "resource", "audience", "scope");

    private OAuthReader() {
    }

    static OAuthConfig read(NodeReader route) {
        if (!route.has("oauth")) {
            return null;
        }
        NodeReader o = route.child("oauth");
        if (!o.isObject()) {
            o.problem("must be a mapping with resource (the route's public URL) and issuer (the authorization server)");
            return null;
        }
        o.rejectUnknown(FIELDS);
        URI resource = UpstreamsReader.url(o, "resource", o.string("resource", null));
        URI issuer = UpstreamsReader.url(o, "issuer", o.string("issuer", null));
        URI jwks = o.has("jwks-url") ? UpstreamsReader.url(o, "jwks-url", o.string("jwks-url", null)) : null;
        String header = null;
        String value = null;
        OAuthConfig.UpstreamGrant grant = null;
        if (o.has("upstream-credential")) {
            NodeReader c = o.child("upstream-credential");
            c.rejectUnknown(CREDENTIAL_FIELDS);
            int kinds = (c.has("value") ? 1 : 0) + (c.has("client-credentials") ? 1 : 0) + (c.has("token-exchange") ? 1 : 0);
            if (kinds != 1) {
                c.problem("give exactly one of value (a static credential), client-credentials or token-exchange");
            }
            header = c.string("header", "Authorization");
            value = c.optionalString("value");
            if (c.has("client-credentials") || c.has("token-exchange")) {
                boolean exchange = c.has("token-exchange");
                NodeReader g = c.child(exchange ? "token-exchange" : "client-credentials");
                g.rejectUnknown(GRANT_FIELDS);
                URI tokenUrl = UpstreamsReader.url(g, "token-url", g.string("token-url", null));
                URI upstreamResource = UpstreamsReader.url(g, "resource", g.string("resource", null));
                String id = g.string("client-id", null);
                String secret = g.string("client-secret", null);
                grant = tokenUrl == null || upstreamResource == null || id == null || secret == null ? null
                        : new OAuthConfig.UpstreamGrant(exchange, tokenUrl, id, secret, upstreamResource, g.optionalString("audience"),
                                g.optionalString("scope"));
            }
        }
        OAuthConfig.Introspection introspection = null;
        if (o.has("introspection")) {
            NodeReader i = o.child("introspection");
            i.rejectUnknown(INTROSPECTION_FIELDS);
            URI url = UpstreamsReader.url(i, "url", i.string("url", null));
            String id = i.string("client-id", null);
            String secret = i.string("client-secret", null);
            introspection = url == null || id == null || secret == null ? null : new OAuthConfig.Introspection(url, id, secret);
        }
        if (resource == null || issuer == null) {
            return null;
        }
        return new OAuthConfig(resource, issuer, jwks, o.strings("required-scopes", java.util.List.of()), o.strings("scopes-supported", java.util.List.of()),
                o.duration("clock-skew", OAuthConfig.DEFAULT_CLOCK_SKEW), header, value, introspection, grant,
                JwksStaleness.read(o, dev.tollgate.gateway.identity.OAuthKeys.REFRESH));
    }
}
