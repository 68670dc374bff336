package dev.tollgate.gateway.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.time.Instant;

/**
 * The AXID token ids ({@code jti}) already accepted on single-use routes, each remembered until its token
 * expires plus the clock skew it was verified with plus {@link #MARGIN}, after which the verifier refuses the token for
 * its expiry anyway (the margin also covers a reload raising the skew, up to its 60 s cap). Process-wide
 * and kept across reloads; not shared between replicas (a token replayed to another replica is accepted
 * there once). Bounded, failing closed: an id is forgotten only when its token has expired, never to make room
 * (a size-bounded cache evicts by its own policy, which kept 101 of the last 1,000 ids once full: a single-use token
 * could be replayed after a few thousand others); with {@link #MAX_REMEMBERED} ids held, a new single-use token is
 * refused until expired ones are dropped, which takes more than that many single-use tokens within one token
 * lifetime plus skew and margin (11 minutes at most). Expired ids are dropped by the system scheduler's thread, so a
 * full guard empties without waiting for traffic.
 */
public final class JtiReplayGuard {

    static final long MAX_REMEMBERED = 500_000;
    static final Duration MARGIN = Duration.ofMinutes(5);

    /** Each id with the instant it may be forgotten. */
    private final Cache<String, Instant> seen;
    private final long maxRemembered;

    /** What a presented token id is. */
    public enum Use {
        /** Not seen before: remembered from now on. */
        FIRST,
        /** Seen before, within its lifetime. */
        REPLAYED,
        /** Not seen, but the guard holds as many ids as it may: refused rather than remembered by forgetting another. */
        GUARD_FULL
    }

    public JtiReplayGuard() {
        this(MAX_REMEMBERED);
    }

    JtiReplayGuard(long maxRemembered) {
        this.maxRemembered = maxRemembered;
        this.seen = Caffeine.newBuilder()
                .scheduler(Scheduler.systemScheduler())
                .expireAfter(new Expiry<String, Instant>() {
                    @Override
                    public long expireAfterCreate(String jti, Instant forgetAt, long now) {
                        return Math.max(0, Duration.between(Instant.now(), forgetAt).toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(String jti, Instant forgetAt, long now, long current) {
                        return current;
                    }

                    @Override
                    public long expireAfterRead(String jti, Instant forgetAt, long now, long current) {
                        return current;
                    }
                })
                .build();
    }

    /**
     * FIRST the first time a token id is presented (it is remembered from then on), REPLAYED for every replay.
     *
     * @param clockSkew the skew the token was verified with: the verifier accepts it until {@code expiresAt} plus this
     */
    public Use use(String jti, Instant expiresAt, Duration clockSkew) {
        if (seen.getIfPresent(jti) != null) {
            return Use.REPLAYED;
        }
        // Two calls may both pass this check and hold one id more than the bound: the bound is memory, not a count.
        if (seen.estimatedSize() >= maxRemembered) {
            return Use.GUARD_FULL;
        }
        return seen.asMap().putIfAbsent(jti, expiresAt.plus(clockSkew).plus(MARGIN)) == null ? Use.FIRST : Use.REPLAYED;
    }
}
