package dev.tollgate.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.protocols.json.WellFormedText;
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
import java.util.HashMap;
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
    /** The members naming who the token is for or who issued it: Unicode text (no unpaired surrogate), or refused. */
    private static final List<String> UNICODE_MEMBERS = List.of("sub", "client_id", "username", "iss");

    /** RFC 7662's members (and a JWT's registered names): read by the gateway itself, never passed on as claims. */
    /**
     * How introspection answers name a token that is no access token, lower-cased: in {@code token_type} (RFC 7662 leaves
     * its values open) or Keycloak's {@code typ} ({@code Refresh}, {@code ID}; an access token's is {@code Bearer}).
     */
    private static final java.util.Set<String> NOT_ACCESS_TOKEN_TYPES = java.util.Set.of("refresh_token", "refresh", "refresh-token",
            "urn:ietf:params:oauth:token-type:refresh_token", "id", "id_token", "urn:ietf:params:oauth:token-type:id_token");
    private static final java.util.Set<String> RFC7662_MEMBERS = java.util.Set.of("active", "scope", "client_id", "username",
            "token_type", "exp", "iat", "nbf", "sub", "aud", "iss", "jti", "scp", "azp");

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_CACHE = Duration.ofMinutes(5);
    static final Duration REFUSAL_CACHE = Duration.ofSeconds(10);
    private static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Cached(OAuthPrincipal principal, OAuthVerifier.Rejected refusal, Instant until) {
    }

    /** How many introspections one route, and one client address on it, may have in flight at once. */
    public record Limits(int perRoute, int perAddress) {
    }

    private final OAuthConfig config;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    /**
     * Answers by the SHA-256 of the token (never the token itself: a caller chooses its length), each kept until its own
     * {@code until} on the same clock, not until 10,000 newer ones push it out (review BE: refusals of made-up tokens of
     * some 6,000 characters stayed for good, tens of MB per route, and pushed every user's principal out).
     */
    private final Cache<String, Cached> answers;
    /** One introspection in flight per token: concurrent calls with the same token wait on it (review BE). */
    private final Map<String, CompletableFuture<OAuthPrincipal>> inFlight = new HashMap<>();
    /** Introspections in flight, on the route and per client address (guarded by {@link #inFlight}). */
    private int routeInFlight;
    private final Map<String, Integer> addressInFlight = new HashMap<>();

    public OAuthIntrospection(OAuthConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.answers = Caffeine.newBuilder().maximumSize(10_000)
                .ticker(() -> {
                    Instant at = clock.instant();
                    return at.getEpochSecond() * 1_000_000_000L + at.getNano();
                })
                .expireAfter(new Expiry<String, Cached>() {
                    @Override
                    public long expireAfterCreate(String key, Cached value, long currentTime) {
                        return Math.max(0, Duration.between(clock.instant(), value.until()).toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(String key, Cached value, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, value, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String key, Cached value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /** Completes with the principal, or fails with {@link OAuthVerifier.Rejected} (an unreachable endpoint included: fail closed). */
    public CompletableFuture<OAuthPrincipal> introspect(String token) {
        return introspect(token, "unknown", null);
    }

    /**
     * As {@link #introspect(String)}, for a call from {@code address}: a token neither cached nor being introspected
     * starts an introspection only while the route and the address are under {@code limits} (null: no limit); past one,
     * fails at once with {@link OAuthVerifier.Rejected} for {@link RejectReason#ROUTE_CONCURRENCY_LIMIT} or
     * {@link RejectReason#CALLER_CONCURRENCY_LIMIT}. An unauthenticated flood of made-up tokens is limited per address
     * before any other limit can apply (review BE: 40 calls, 40 introspections at once).
     */
    public CompletableFuture<OAuthPrincipal> introspect(String token, String address, Limits limits) {
        String key = digest(token);
        Instant now = clock.instant();
        Cached cached = answers.getIfPresent(key);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.refusal() != null ? CompletableFuture.failedFuture(cached.refusal()) : CompletableFuture.completedFuture(cached.principal());
        }
        CompletableFuture<OAuthPrincipal> mine = new CompletableFuture<>();
        synchronized (inFlight) {
            CompletableFuture<OAuthPrincipal> running = inFlight.get(key);
            if (running != null) {
                return running.copy();
            }
            if (limits != null && routeInFlight >= limits.perRoute()) {
                return CompletableFuture.failedFuture(new OAuthVerifier.Rejected(RejectReason.ROUTE_CONCURRENCY_LIMIT,
                        "the route has " + limits.perRoute() + " token introspections in flight (max-concurrent-calls)"));
            }
            if (limits != null && addressInFlight.getOrDefault(address, 0) >= limits.perAddress()) {
                return CompletableFuture.failedFuture(new OAuthVerifier.Rejected(RejectReason.CALLER_CONCURRENCY_LIMIT,
                        "this address has " + limits.perAddress() + " token introspections in flight (max-concurrent-calls-per-caller)"));
            }
            inFlight.put(key, mine);
            routeInFlight++;
            addressInFlight.merge(address, 1, Integer::sum);
        }
        CompletableFuture<OAuthPrincipal> sent;
        try {
            sent = send(token, key, now);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((principal, failure) -> {
            synchronized (inFlight) {
                inFlight.remove(key, mine);
                routeInFlight--;
                addressInFlight.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
            }
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(principal);
            }
        });
        return mine.copy();
    }

    /** Introspections in flight now (for tests). */
    int inFlight() {
        synchronized (inFlight) {
            return routeInFlight;
        }
    }

    private CompletableFuture<OAuthPrincipal> send(String token, String key, Instant now) {
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
                answers.put(key, new Cached(principal, null, until));
                return principal;
            } catch (OAuthVerifier.Rejected refused) {
                answers.put(key, new Cached(null, refused, now.plus(REFUSAL_CACHE)));
                throw new CompletionException(refused);
            } catch (IOException e) {
                throw new CompletionException(new OAuthVerifier.Rejected(RejectReason.OAUTH_INTROSPECTION_FAILED, "introspection answer is not JSON"));
            }
        });
    }

    /** The cache's key for a token: its SHA-256, base64url (43 characters whatever the token's length). */
    static String digest(String token) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    OAuthPrincipal check(JsonNode answer, Instant now) throws OAuthVerifier.Rejected {
        // RFC 7662: a JSON boolean. Read leniently ("true", 1 count as true with asBoolean), a server's odd or broken answer
        // (a string "false " or an error object with a truthy member) could admit a token it meant to refuse.
        JsonNode active = answer.path("active");
        if (!active.isBoolean() || !active.booleanValue()) {
            throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_INVALID, "the authorization server says the token is not active");
        }
        // An active refresh (or ID) token is no access token: the gateway asked for access_token (a hint the server may
        // ignore), and such a token with the right audience would otherwise be taken as one (review BH's suspicion).
        for (String type : List.of("token_type", "typ")) {
            if (answer.path(type).isTextual() && NOT_ACCESS_TOKEN_TYPES.contains(answer.get(type).asText().toLowerCase(java.util.Locale.ROOT))) {
                throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_INVALID, "the introspected token is a " + answer.get(type).asText() + " token, not an access token");
            }
        }
        for (String name : NAMING_MEMBERS) {
            // Read as text, an object or a number would be "" or its digits for every such user alike: all of them one
            // caller, owning each other's tasks (review AM). A JWT's are strings by its parser; the answer is refused.
            if (answer.hasNonNull(name) && !answer.get(name).isTextual()) {
                throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_INVALID, "the introspection answer's " + name + " is not a string");
            }
        }
        for (String name : UNICODE_MEMBERS) {
            // Review BR: a subject spelled "alice\ud800" is "alice?" in every key built as UTF-8 bytes (sessions, Redis).
            if (answer.path(name).isTextual() && WellFormedText.hasLoneSurrogate(answer.get(name).textValue())) {
                throw new OAuthVerifier.Rejected(RejectReason.OAUTH_TOKEN_INVALID, "the introspection answer's " + name
                        + " holds an unpaired UTF-16 surrogate");
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
