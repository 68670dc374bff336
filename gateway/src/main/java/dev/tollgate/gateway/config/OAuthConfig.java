package dev.tollgate.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The gateway as the OAuth 2.1 resource server of a route (MCP authorization, RFC 9728 and RFC 8707): it publishes
 * the route's protected-resource metadata, challenges calls without a valid bearer token, and validates tokens
 * itself. The client's token never travels upstream; the upstream gets its own credential.
 *
 * @param resource       the route's public URL as clients reach it: tokens must name it as their audience, and the
 *                       metadata is served for it
 * @param issuer         the authorization server (its metadata is discovered from this URL, RFC 8414 then OIDC)
 * @param jwksUrl        where the server's signing keys are; null: {@code jwks_uri} from its metadata
 * @param requiredScopes scopes every token must carry on this route
 * @param scopesSupported advertised in the metadata; defaults to the required scopes
 * @param clockSkew      tolerance on {@code exp} and {@code nbf}
 * @param upstreamHeader the header carrying the upstream's own credential (e.g. {@code Authorization}); null for none
 * @param upstreamValue  its value (from the environment, e.g. {@code Bearer ${UPSTREAM_TOKEN}}); null for none
 * @param introspection  check tokens at the authorization server (RFC 7662) instead of as JWTs; null for JWTs
 * @param upstreamGrant  how the gateway obtains the upstream's own token (client credentials or token exchange); null
 *                       for a static credential or none
 * @param jwksMaxStale   how long the signing keys are trusted without a successful fetch; then every token is
 *                       refused until one succeeds
 */
public record OAuthConfig(URI resource, URI issuer, URI jwksUrl, List<String> requiredScopes, List<String> scopesSupported,
                          Duration clockSkew, String upstreamHeader, String upstreamValue, Introspection introspection,
                          UpstreamGrant upstreamGrant, Duration jwksMaxStale) {

    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

    public OAuthConfig {
        requiredScopes = List.copyOf(requiredScopes);
        scopesSupported = scopesSupported == null || scopesSupported.isEmpty() ? requiredScopes : List.copyOf(scopesSupported);
    }

    /**
     * The gateway's own grant at the authorization server for a token the upstream accepts.
     *
     * @param exchange true: RFC 8693 token exchange of the caller's token (the user's identity reaches the upstream);
     *                 false: client credentials (the gateway's identity)
     * @param resource the upstream's resource URL (RFC 8707), the audience of the token
     */
    public record UpstreamGrant(boolean exchange, URI tokenUrl, String clientId, String clientSecret, URI resource, String audience,
                                String scope) {
    }

    /** The introspection endpoint and the gateway's own client credentials there. */
    public record Introspection(URI url, String clientId, String clientSecret) {
    }

    /** Where this route's protected-resource metadata is served: the path form of RFC 9728 for the resource URL. */
    public URI metadataUrl() {
        String path = resource.getRawPath() == null || resource.getRawPath().equals("/") ? "" : resource.getRawPath();
        return URI.create(resource.getScheme() + "://" + resource.getRawAuthority() + "/.well-known/oauth-protected-resource" + path);
    }

    /** The path of {@link #metadataUrl()} on the gateway's listeners. */
    public String metadataPath() {
        return metadataUrl().getRawPath();
    }
}
