package dev.tollgate.gateway.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Verified tokens kept until they expire, so a repeated AXID costs one hash lookup instead of an Ed25519
 * verification. Failures are not cached (a forged token costs its verification each time; its size is
 * bounded). Bounded in size; entries expire at the token's own {@code exp}.
 */
public final class AxidCache {

    private static final long MAX_ENTRIES = 100_000;

    private final AxidVerifier verifier;
    private final Clock clock;
    private final Cache<String, VerifiedAxid> verified;

    private final RemoteJwks remoteKeys;

    /** A token this thread verified or found last, with what it verified to. */
    private record Last(String token, VerifiedAxid axid) {
    }

    /**
     * The last token each event loop saw: an agent sends the same AXID on every call of its run, and comparing it
     * with the last one (a length check, then a vectorized byte compare) costs a fraction of hashing its ~400
     * characters for the cache lookup (0.3 of the 0.7 us per call the lookup took, async-profiler, full pipeline),
     * and it keeps Caffeine's read buffer quiet: draining it every few reads woke a ForkJoinPool thread, 1.1 us of
     * CPU per call. (Running that maintenance on the event loop instead was tried and reverted: expiring a full
     * cache's entries at once is unbounded work, tens to hundreds of milliseconds.)
     * Same semantics as the cache: equal token, not yet expired, its key still current. A new snapshot builds a new
     * AxidCache, so a reload's key change leaves nothing behind here; a JWKS refresh is checked on every reuse.
     */
    private final ThreadLocal<Last> lastOnThread = new ThreadLocal<>();
    private final java.util.concurrent.atomic.LongAdder lastHits = new java.util.concurrent.atomic.LongAdder();

    public AxidCache(AxidVerifier verifier, Clock clock) {
        this(verifier, clock, null);
    }

    /** @param remoteKeys the JWKS URL source to refetch from on an unknown kid; null for file keys */
    public AxidCache(AxidVerifier verifier, Clock clock, RemoteJwks remoteKeys) {
        this.remoteKeys = remoteKeys;
        this.verifier = verifier;
        this.clock = clock;
        this.verified = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .recordStats()
                .expireAfter(new Expiry<String, VerifiedAxid>() {
                    @Override
                    public long expireAfterCreate(String key, VerifiedAxid value, long currentTime) {
                        return Math.max(0, Duration.between(clock.instant(), value.expiresAt()).toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(String key, VerifiedAxid value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public long expireAfterRead(String key, VerifiedAxid value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /**
     * Verifies a token as of {@code at} (a call that came then and waited since, held for a person), with the keys and
     * settings of this cache, uncached: whether this configuration would have admitted it when it came.
     */
    public VerifiedAxid verifyAsOf(String token, Instant at) throws AxidException {
        return verifier.verify(token, at);
    }

    public VerifiedAxid verify(String token) throws AxidException {
        Instant now = clock.instant();
        Last last = lastOnThread.get();
        if (last != null && last.token().equals(token) && last.axid().expiresAt().isAfter(now)) {
            VerifiedAxid current = stillTrusted(token, last.axid());
            if (current != null) {
                lastHits.increment();
                return current;
            }
        }
        VerifiedAxid cached = verified.getIfPresent(token);
        if (cached != null && cached.expiresAt().isAfter(now)) {
            VerifiedAxid current = stillTrusted(token, cached);
            if (current != null) {
                return current;
            }
        }
        VerifiedAxid fresh = verifier.verify(token, now);
        verified.put(token, fresh);
        lastOnThread.set(new Last(token, fresh));
        return fresh;
    }

    /**
     * The known verification if its key is still in the current key set (kept up to date here and in this thread's
     * last token), else null with the token dropped, so it is verified again and refused if its key is gone.
     */
    private VerifiedAxid stillTrusted(String token, VerifiedAxid known) {
        VerifiedAxid current = verifier.underCurrentKeys(known);
        if (current == null) {
            verified.invalidate(token);
            lastOnThread.remove();
            return null;
        }
        if (current != known) {
            verified.put(token, current);
        }
        Last last = lastOnThread.get();
        if (last == null || last.axid() != current) {
            lastOnThread.set(new Last(token, current));
        }
        return current;
    }

    /**
     * After an unknown kid: refetches the remote keys (rate-limited) and completes with true when new keys
     * arrived, so the token is worth verifying once more. Completes with false at once for file keys.
     */
    public java.util.concurrent.CompletableFuture<Boolean> refreshKeys() {
        return remoteKeys == null ? java.util.concurrent.CompletableFuture.completedFuture(false) : remoteKeys.refetchForUnknownKid();
    }

    /** Hits over lookups, counting the last-token hits that never reach the cache. */
    public double hitRate() {
        var stats = verified.stats();
        long extra = lastHits.sum();
        long requests = stats.requestCount() + extra;
        return requests == 0 ? 1.0 : (double) (stats.hitCount() + extra) / requests;
    }

    public Cache<String, VerifiedAxid> cache() {
        return verified;
    }

    /** Stops the JWKS URL refresh (gateway shutdown); the cache still verifies with the keys it has. */
    public void closeRemoteKeys() {
        if (remoteKeys != null) {
            remoteKeys.close();
        }
    }
}
