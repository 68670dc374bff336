package dev.tollgate.gateway.identity;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authorization server's signing keys for a route's OAuth tokens: the JWKS URL is discovered from the server's
 * metadata at load (RFC 8414, then OpenID discovery; the metadata must name the configured issuer, so one server
 * cannot pass itself off as another), fetched on the loading thread, refreshed on a timer and refetched when a token
 * names an unknown key, at most once per {@link #MIN_REFETCH}. Fetches never run on an event loop; a failed fetch
 * keeps the previous keys, for at most the route's {@code jwks-max-stale} after the last fetch that succeeded (see
 * {@link KeyStaleness}).
 */
public final class OAuthKeys implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OAuthKeys.class);
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    public static final Duration REFRESH = Duration.ofMinutes(5);
    static final Duration MIN_REFETCH = Duration.ofSeconds(30);
    private static final int MAX_BYTES = 256 * 1024;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final URI jwksUrl;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicReference<JWKSet> keys = new AtomicReference<>(new JWKSet());
    private final AtomicReference<Instant> lastRefetch = new AtomicReference<>(Instant.EPOCH);
    private final ScheduledExecutorService timer;
    private final KeyStaleness staleness;

    private OAuthKeys(URI jwksUrl, Duration maxStale, Clock clock) {
        this.jwksUrl = jwksUrl;
        this.clock = clock;
        this.staleness = new KeyStaleness("OAuth keys from " + jwksUrl, maxStale, clock);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-oauth-jwks " + jwksUrl.getHost());
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One scheduled refresh: a fetch, then the keys dropped if no fetch has succeeded for too long ({@link KeyStaleness#refresh}). */
    void refresh() {
        staleness.refresh(this::fetch, keys, new JWKSet());
    }

    /**
     * Discovers (when {@code jwksUrl} is null) and loads the keys: blocking, for the startup or reload thread.
     *
     * @throws IOException when the metadata or the keys cannot be had: the route cannot verify anything
     */
    public static OAuthKeys load(URI issuer, URI jwksUrl, Duration maxStale, Clock clock) throws IOException {
        URI keysAt = jwksUrl != null ? jwksUrl : discover(issuer);
        OAuthKeys keys = new OAuthKeys(keysAt, maxStale, clock);
        if (!keys.fetch().join()) {
            keys.close();
            throw new IOException("cannot load the signing keys from " + keysAt);
        }
        return keys;
    }

    /** The authorization server's {@code jwks_uri}, from its metadata (RFC 8414 path form first, then OpenID discovery). */
    static URI discover(URI issuer) throws IOException {
        String base = issuer.getScheme() + "://" + issuer.getRawAuthority();
        String path = issuer.getRawPath() == null || issuer.getRawPath().equals("/") ? "" : issuer.getRawPath().replaceAll("/+$", "");
        List<URI> candidates = List.of(URI.create(base + "/.well-known/oauth-authorization-server" + path),
                URI.create(base + path + "/.well-known/openid-configuration"),
                URI.create(base + path + "/.well-known/oauth-authorization-server"));
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
        StringBuilder tried = new StringBuilder();
        for (URI candidate : candidates) {
            try {
                HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(candidate).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200 || response.body().length > MAX_BYTES) {
                    tried.append(' ').append(candidate).append(" (").append(response.statusCode()).append(')');
                    continue;
                }
                var metadata = JSON.readTree(response.body());
                String named = metadata.path("issuer").asText("");
                if (!named.replaceAll("/+$", "").equals(issuer.toString().replaceAll("/+$", ""))) {
                    throw new IOException("the metadata at " + candidate + " names issuer '" + named + "', not " + issuer);
                }
                String jwks = metadata.path("jwks_uri").asText("");
                if (jwks.isEmpty()) {
                    throw new IOException("the metadata at " + candidate + " has no jwks_uri");
                }
                return URI.create(jwks);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while discovering " + issuer, e);
            } catch (java.net.ConnectException e) {
                throw new IOException("cannot reach the authorization server " + issuer + ": " + e.getMessage(), e);
            }
        }
        throw new IOException("no authorization server metadata for " + issuer + " at" + tried);
    }

    public JWKSet keys() {
        return keys.get();
    }

    /** After a token named an unknown key: refetches off the event loop unless one was done within MIN_REFETCH. */
    public CompletableFuture<Boolean> refetchForUnknownKey() {
        Instant now = clock.instant();
        Instant last = lastRefetch.get();
        if (now.isBefore(last.plus(MIN_REFETCH)) || !lastRefetch.compareAndSet(last, now)) {
            return CompletableFuture.completedFuture(false);
        }
        return fetch();
    }

    private CompletableFuture<Boolean> fetch() {
        return http.sendAsync(HttpRequest.newBuilder(jwksUrl).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> {
                    if (response.statusCode() != 200 || response.body().length > MAX_BYTES) {
                        LOG.warn("OAuth keys not refreshed from {} (kept {}): HTTP {}", jwksUrl, staleness.keptUntil(), response.statusCode());
                        return false;
                    }
                    try {
                        JWKSet parsed = JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8));
                        JWKSet fetched = parsed.toPublicJWKSet();
                        // The same keys keep the same set: verified tokens are checked again only when the keys changed
                        // (review: a token naming an unknown kid forces a refetch every 30 s).
                        staleness.fetched();
                        if (!fetched.toJSONObject().equals(keys.get().toJSONObject())) {
                            keys.set(fetched);
                        }
                        return true;
                    } catch (ParseException e) {
                        LOG.warn("OAuth keys not refreshed from {} (kept {}): {}", jwksUrl, staleness.keptUntil(), e.getMessage());
                        return false;
                    }
                })
                .exceptionally(e -> {
                    LOG.warn("OAuth keys not refreshed from {} (kept {}): {}", jwksUrl, staleness.keptUntil(), e.toString());
                    return false;
                });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
