package dev.tollgate.gateway.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.time.Instant;

/**
 * The AXID token ids ({@code jti}) already accepted on single-use routes, each remembered until its token
 * expires plus {@link #MARGIN} (more than any clock skew a configuration may allow), after which the token
 * is refused for its expiry anyway. Process-wide
 * and kept across reloads; not shared between replicas (a token replayed to another replica is accepted
 * there once). Bounded: past {@link #MAX_REMEMBERED} ids the oldest are forgotten first, which only matters
 * for more than that many single-use tokens within one token lifetime (5 minutes at most).
 */
public final class JtiReplayGuard {

    static final long MAX_REMEMBERED = 500_000;
    static final Duration MARGIN = Duration.ofMinutes(5);

    private final Cache<String, Instant> seen;

    public JtiReplayGuard() {
        this.seen = Caffeine.newBuilder()
                .maximumSize(MAX_REMEMBERED)
                .expireAfter(new Expiry<String, Instant>() {
                    @Override
                    public long expireAfterCreate(String jti, Instant expiresAt, long now) {
                        return Math.max(0, Duration.between(Instant.now(), expiresAt.plus(MARGIN)).toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(String jti, Instant expiresAt, long now, long current) {
                        return current;
                    }

                    @Override
                    public long expireAfterRead(String jti, Instant expiresAt, long now, long current) {
                        return current;
                    }
                })
                .build();
    }

    /** True the first time a token id is presented (it is remembered from then on), false for every replay. */
    public boolean firstUse(String jti, Instant expiresAt) {
        return seen.asMap().putIfAbsent(jti, expiresAt) == null;
    }
}
