package dev.tollgate.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.config.OAuthConfig;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The upstream's own access token, obtained by the gateway at the authorization server's token endpoint (never the
 * client's token): with {@code client-credentials}, one token for the gateway itself, shared by every call until
 * shortly before it expires; with {@code token-exchange} (RFC 8693), one per client token, carrying the user's
 * identity to the upstream as a token issued for the upstream's resource. Off the event loop, with a timeout; a
 * failure fails the call (502), it never falls back to forwarding the client's token.
 */
public final class UpstreamTokens {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** A token is renewed this long before it expires, so none expires in flight. */
    static final Duration EARLY = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT_CREDENTIALS = "";

    private record Token(String value, Instant renewAt) {
    }

    private final OAuthConfig.UpstreamGrant grant;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    private final Cache<String, Token> tokens = Caffeine.newBuilder().maximumSize(10_000).build();

    public UpstreamTokens(OAuthConfig.UpstreamGrant grant, Clock clock) {
        this.grant = grant;
        this.clock = clock;
    }

    /** @param clientToken the caller's validated token (token exchange); ignored for client credentials */
    public CompletableFuture<String> tokenFor(String clientToken) {
        String key = grant.exchange() ? clientToken : CLIENT_CREDENTIALS;
        Token cached = tokens.getIfPresent(key);
        if (cached != null && clock.instant().isBefore(cached.renewAt())) {
            return CompletableFuture.completedFuture(cached.value());
        }
        Map<String, String> form = new LinkedHashMap<>();
        if (grant.exchange()) {
            form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
            form.put("subject_token", clientToken);
            form.put("subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
            form.put("requested_token_type", "urn:ietf:params:oauth:token-type:access_token");
        } else {
            form.put("grant_type", "client_credentials");
        }
        form.put("resource", grant.resource().toString());
        if (grant.audience() != null) {
            form.put("audience", grant.audience());
        }
        if (grant.scope() != null) {
            form.put("scope", grant.scope());
        }
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String credentials = Base64.getEncoder().encodeToString((grant.clientId() + ":" + grant.clientSecret()).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(grant.tokenUrl()).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .header("Authorization", "Basic " + credentials).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the token endpoint " + grant.tokenUrl() + " answered " + response.statusCode());
            }
            try {
                JsonNode answer = JSON.readTree(response.body());
                String token = answer.path("access_token").asText("");
                if (token.isEmpty()) {
                    throw new IllegalStateException("the token endpoint " + grant.tokenUrl() + " gave no access_token");
                }
                long lifetime = answer.path("expires_in").asLong(60);
                tokens.put(key, new Token(token, clock.instant().plusSeconds(lifetime).minus(EARLY)));
                return token;
            } catch (java.io.IOException e) {
                throw new IllegalStateException("the token endpoint's answer is not JSON", e);
            }
        });
    }
}
