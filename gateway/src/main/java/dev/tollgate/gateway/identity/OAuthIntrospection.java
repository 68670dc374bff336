package dev.tollgate.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.errors.RejectReason;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Opaque (or any) bearer tokens checked by the authorization server itself (RFC 7662): the gateway POSTs the token to
 * the introspection endpoint with its own client credentials, off the event loop with a timeout, and accepts it only
 * when the answer says {@code active}, names the configured issuer (when it names one), lists this route's resource
 * in {@code aud} (an answer without an audience is refused: the gateway must know the token is for it), has not
 * expired and grants the required scopes. Answers are cached per token until the token's expiry, at most
 * {@link #MAX_CACHE}, so a session's calls cost one round trip; a refusal is cached briefly so a flood of the same bad
 * token costs one too.
 */
public final class OAuthIntrospection {

    /** The members naming who the token is for: strings, or the answer is refused. */
    private static final List<String> NAMING_MEMBERS = List.of("sub", "client_id", "username");

    /** RFC 7662's members (and a JWT's registered names): read by the gateway itself, never passed on as claims. */
    private static final java.util.Set<String> RFC7662_MEMBERS = java.util.Set.of("active", "scope", "client_id", "username",
            "token_type", "exp", "iat", "nbf", "sub", "aud", "iss", "jti", "scp", "azp");

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_CACHE = Duration.ofMinutes(5);
    static final Duration REFUSAL_CACHE = Duration.ofSeconds(10);
    private static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Cached(OAuthPrincipal principal, OAuthVerifier.Rejected refusal, Instant until) {
    }

    private final OAuthConfig config;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    private final Cache<String, Cached> answers = Caffeine.newBuilder().maximumSize(10_000).build();

    public OAuthIntrospection(OAuthConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Completes with the principal, or fails with {@link OAuthVerifier.Rejected} (an unreachable endpoint included: fail closed). */
    public CompletableFuture<OAuthPrincipal> introspect(String token) {
        Instant now = clock.instant();
        Cached cached = answers.getIfPresent(token);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.refusal() != null ? CompletableFuture.failedFuture(cached.refusal()) : CompletableFuture.completedFuture(cached.principal());
        }
        OAuthConfig.Introspection endpoint = config.introspection();
        String credentials = Base64.getEncoder().encodeToString((endpoint.clientId() + ":" + endpoint.clientSecret()).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(endpoint.url()).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .header("Authorization", "Basic " + credentials)
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token"))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, failure) -> {
            if (failure != null) {
                throw new CompletionException(new OAuthVerifier.Rejected(RejectReason.OAUTH_INTROSPECTION_FAILED,
                        "introspection at " + endpoint.url() + " failed: " + failure.getClass().getSimpleName()));
            }
            if (response.statusCode() != 200 || response.body().length > MAX_BYTES) {
                throw new CompletionException(new OAuthVerifier.Rejected(RejectReason.OAUTH_INTROSPECTION_FAILED,
                        "introspection at " + endpoint.url() + " answered " + response.statusCode()));
            }
            try {
                OAuthPrincipal principal = check(JSON.readTree(response.body()), clock.instant());
                Instant until = principal.expiresAt().isBefore(now.plus(MAX_CACHE)) ? principal.expiresAt() : now.plus(MAX_CACHE);
                answers.put(token, new Cached(principal, null, until));
                return principal;
            } catch (OAuthVerifier.Rejected refused) {
                answers.put(token, new Cached(null, refused, now.plus(REFUSAL_CACHE)));
                throw new CompletionException(refused);
            } catch (IOException e) {
                throw new CompletionException(new OAuthVerifier.Rejected(RejectReason.OAUTH_INTROSPECTION_FAILED, "introspection answer is not JSON"));
            }
        });
    }

    OAuthPrincipal check(JsonNode answer, Instant now) throws OAuthVerifier.Rejected {
        if (!answer.path("active").asBoolean(false)) {
            throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_INVALID, "the authorization server says the token is not active");
        }
        for (String name : NAMING_MEMBERS) {
            // Read as text, an object or a number would be "" or its digits for every such user alike: all of them one
            // caller, owning each other's tasks (review AM). A JWT's are strings by its parser; the answer is refused.
            if (answer.hasNonNull(name) && !answer.get(name).isTextual()) {
                throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_INVALID, "the introspection answer's " + name + " is not a string");
            }
        }
        if (answer.hasNonNull("iss") && !answer.get("iss").asText().replaceAll("/+$", "").equals(config.issuer().toString().replaceAll("/+$", ""))) {
            throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_INVALID, "issued by " + answer.get("iss").asText() + ", not " + config.issuer());
        }
        List<String> audience = new ArrayList<>();
        JsonNode aud = answer.path("aud");
        if (aud.isTextual()) {
            audience.add(aud.asText());
        } else if (aud.isArray()) {
            aud.forEach(a -> audience.add(a.asText()));
        }
        String resource = config.resource().toString().replaceAll("/+$", "");
        if (audience.stream().noneMatch(a -> a.replaceAll("/+$", "").equals(resource))) {
            throw new OAuthVerifier.Rejected(RejectReason.OAUTH_WRONG_AUDIENCE, "the token is for " + audience + ", not for " + resource);
        }
        if (!answer.path("exp").canConvertToLong()) {
            throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_INVALID, "the introspection answer has no expiry");
        }
        Instant expires = Instant.ofEpochSecond(answer.get("exp").asLong());
        if (!now.isBefore(expires.plus(config.clockSkew()))) {
            throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_EXPIRED, "expired at " + expires);
        }
        List<String> scopes = new ArrayList<>();
        for (String scope : answer.path("scope").asText("").trim().split("\\s+")) {
            if (!scope.isEmpty()) {
                scopes.add(scope);
            }
        }
        List<String> missing = config.requiredScopes().stream().filter(s -> !scopes.contains(s)).toList();
        if (!missing.isEmpty()) {
            throw new OAuthVerifier.Rejected(RejectReason.OAUTH_INSUFFICIENT_SCOPE, "missing scope(s) " + String.join(" ", missing));
        }
        // The authorization server's other members are claims, as a JWT's unregistered claims are (review AM: keeping only
        // username, an introspection route read a role from the AXID where the JWT route read the user's own).
        @SuppressWarnings("unchecked")
        Map<String, Object> members = JSON.convertValue(answer, Map.class);
        Map<String, Object> claims = OAuthVerifier.simpleClaims(members, RFC7662_MEMBERS);
        if (answer.hasNonNull("username")) {
            claims.put("username", answer.get("username").asText());
        }
        return new OAuthPrincipal(answer.path("sub").asText(null), answer.path("client_id").asText(null), scopes, claims, expires);
    }
}
