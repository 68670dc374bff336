package dev.tollgate.gateway.identity;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who a valid bearer token says is calling: its subject, the OAuth client, its scopes, and the claims policy may read.
 *
 * @param claims the token's other claims of simple type (strings, numbers, booleans, lists of strings)
 */
public record OAuthPrincipal(String subject, String clientId, List<String> scopes, Map<String, Object> claims, Instant expiresAt) {

    public OAuthPrincipal {
        scopes = List.copyOf(scopes);
        claims = Map.copyOf(claims);
    }
}
