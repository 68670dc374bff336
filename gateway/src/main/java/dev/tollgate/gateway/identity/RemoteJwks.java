package dev.tollgate.gateway.identity;

import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AXID keys from a JWKS URL: fetched once at start (on the startup thread), refreshed on a timer, and
 * refetched when a token names an unknown kid, at most once per {@code minRefetchInterval} however many
 * such tokens arrive (a flood of forged kids cannot turn into a flood of fetches). Fetches use the JDK's
 * asynchronous HTTP client with a timeout: never on an event loop. A failed fetch keeps the previous keys, for at
 * most {@code maxStale} after the last fetch that succeeded: past it the keys are dropped on the next refresh, and
 * every token is refused until a fetch succeeds again (see {@link KeyStaleness}).
 */
public final class RemoteJwks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_JWKS_BYTES = 256 * 1024;

    private final URI url;
    private final Duration minRefetchInterval;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).build();
    private final AtomicReference<AxidKeys> keys = new AtomicReference<>(new AxidKeys(java.util.Map.of()));
    /** When the last refetch caused by an unknown kid started (scheduled refreshes do not count). */
    private final AtomicReference<Instant> lastUnknownKidFetch = new AtomicReference<>(Instant.EPOCH);
    private final AtomicLong fetches = new AtomicLong();
    private final KeyStaleness staleness;
    /** Daemon, but stopped by {@link #close}: a gateway that closes (or a reload that drops the URL) leaves no timer. */
    private final ScheduledExecutorService timer;

    public RemoteJwks(URI url, Duration refresh, Duration minRefetchInterval, Duration maxStale, Clock clock) {
        this.url = url;
        this.minRefetchInterval = minRefetchInterval;
        this.clock = clock;
        this.staleness = new KeyStaleness("AXID keys from " + url, maxStale, clock);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName(url));
            t.setDaemon(true);
            return t;
        });
        // Waiting here blocks only this timer thread (bounded by FETCH_TIMEOUT) and keeps refreshes from overlapping.
        timer.scheduleWithFixedDelay(this::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One scheduled refresh: a fetch, then the keys dropped if no fetch has succeeded for too long ({@link KeyStaleness#refresh}). */
    void refresh() {
        staleness.refresh(this::fetch, keys, new AxidKeys(java.util.Map.of()));
    }

    public AxidKeys keys() {
        return keys.get();
    }

    public long fetches() {
        return fetches.get();
    }

    /** The first fetch, waited for: call from a startup or reload thread only. */
    public boolean fetchNow() {
        return fetch().join();
    }

    /**
     * Refetches because a token named an unknown kid, unless such a refetch started within the minimum
     * interval: one per interval, whatever the number of forged kids.
     * @return completes with true when new keys were installed
     */
    public CompletableFuture<Boolean> refetchForUnknownKid() {
        Instant now = clock.instant();
        Instant last = lastUnknownKidFetch.get();
        if (Duration.between(last, now).compareTo(minRefetchInterval) < 0 || !lastUnknownKidFetch.compareAndSet(last, now)) {
            return CompletableFuture.completedFuture(false);
        }
        return fetch();
    }

    private CompletableFuture<Boolean> fetch() {
        fetches.incrementAndGet();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).header("Accept", "application/json").GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    if (response.statusCode() != 200 || response.body().length() > MAX_JWKS_BYTES) {
                        throw new IllegalStateException("JWKS " + url + " answered " + response.statusCode());
                    }
                    try {
                        AxidKeys fetched = AxidKeys.of(JWKSet.parse(response.body()));
                        staleness.fetched();
                        keys.set(fetched);
                        return true;
                    } catch (java.text.ParseException e) {
                        throw new IllegalStateException("JWKS " + url + " is not a JWK set: " + e.getMessage(), e);
                    }
                })
                .exceptionally(e -> {
                    LOG.warn("AXID keys: fetch of {} failed, previous keys kept {}: {}", url, staleness.keptUntil(), e.getMessage());
                    return false;
                });
    }

    /** The refresh thread's name, with the JWKS host so that operators (and tests) can tell timers apart. */
    public static String threadName(URI url) {
        return "tollgate-jwks-refresh " + url.getAuthority();
    }

    public boolean isClosed() {
        return timer.isShutdown();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
