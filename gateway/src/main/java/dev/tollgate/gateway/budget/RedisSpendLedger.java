package dev.tollgate.gateway.budget;

import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.ReservingLedger;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Spend per tree in Redis, shared by every gateway replica. One hash per tree holds {@code spent} and
 * {@code held}; strict-mode holds are also listed with their expiry, so a hold whose gateway died is
 * released by the next reserve instead of shrinking the budget forever. The gateway holding a hold renews
 * its expiry while the call runs ({@link HoldRenewals}), so a live call's hold never lapses. Reserve,
 * commit and release are Lua scripts: Redis runs each one alone, so the check and the hold are one step for
 * all replicas; commit and release count once per hold, so a caller may retry them. A reserve that failed on this
 * gateway (a timeout does not stop Redis running it later) is released here, retried, so its hold never outlives the
 * call it was for ({@link FailedReserveReleases}).
 */
public final class RedisSpendLedger implements ReservingLedger {

    /**
     * Checks a tree's {@code spent} and {@code held} before a script writes anything (review BJ): Redis does not roll back
     * a script that fails half way, and one that set its settled or write marker, then failed at HINCRBY on a value
     * written by something else (HINCRBYFLOAT, HSET by hand), was found done by its retry and lost the call's cost. Such a
     * tree now fails every script, as it fails every read, until its fields are integers again.
     */
    private static final String INTEGERS = """
            local function notIntegers(account)
              for _, field in ipairs({'spent', 'held'}) do
                local value = redis.call('HGET', account, field)
                if value and not string.match(value, '^%-?%d+$') then
                  return redis.error_reply('ERR ' .. field .. ' of ' .. account .. ' is not an integer: ' .. value)
                end
              end
              return nil
            end
            """;

    /**
     * KEYS: account, hold expiries (zset), hold amounts (hash), the hold's settled marker. ARGV: micros, limit, hold id,
     * hold ttl ms. Holds nothing for a hold id already settled: a reserve the gateway gave up on is released, and that
     * release may reach Redis before the reserve itself.
     */
    private static final RedisStore.Script RESERVE = RedisStore.Script.of(INTEGERS + """
            if redis.call('EXISTS', KEYS[4]) == 1 then
              return {0, 0, 0}
            end
            local bad = notIntegers(KEYS[1])
            if bad then
              return bad
            end
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
              local amount = tonumber(redis.call('HGET', KEYS[3], id) or '0')
              redis.call('HINCRBY', KEYS[1], 'held', -amount)
              redis.call('HDEL', KEYS[3], id)
              redis.call('ZREM', KEYS[2], id)
            end
            local spent = math.max(0, tonumber(redis.call('HGET', KEYS[1], 'spent') or '0'))
            local held = tonumber(redis.call('HGET', KEYS[1], 'held') or '0')
            local cost = tonumber(ARGV[1])
            if spent + held + cost > tonumber(ARGV[2]) then
              return {0, spent, held}
            end
            redis.call('HINCRBY', KEYS[1], 'held', cost)
            redis.call('HSET', KEYS[3], ARGV[3], cost)
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[3])
            return {1, spent, held + cost}
            """);

    /**
     * KEYS as RESERVE, then the hold's settled marker. ARGV: hold id, actual micros to record (0 to release), marker ttl
     * ms. Settles once per hold id, however often it is retried (a commit that timed out may have landed); a hold
     * already expired still records.
     */
    private static final RedisStore.Script SETTLE = RedisStore.Script.of(INTEGERS + """
            local bad = notIntegers(KEYS[1])
            if bad then
              return bad
            end
            if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[3]) then
              return 0
            end
            local amount = redis.call('HGET', KEYS[3], ARGV[1])
            if amount then
              redis.call('HINCRBY', KEYS[1], 'held', -tonumber(amount))
              redis.call('HDEL', KEYS[3], ARGV[1])
              redis.call('ZREM', KEYS[2], ARGV[1])
            end
            local actual = tonumber(ARGV[2])
            if actual > 0 then
              redis.call('HINCRBY', KEYS[1], 'spent', actual)
            end
            return 1
            """);

    /**
     * KEYS: hold expiries (zset). ARGV: hold ttl ms, hold ids. Pushes back the expiry of each hold still there and
     * returns the ids that are not. A hold past its expiry but not yet swept is renewed too: only a reserve sweeps, so
     * no call has been given its headroom.
     */
    private static final RedisStore.Script RENEW = RedisStore.Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local expiry = now + tonumber(ARGV[1])
            local gone = {}
            for i = 2, #ARGV do
              if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
                redis.call('ZADD', KEYS[1], expiry, ARGV[i])
              else
                gone[#gone + 1] = ARGV[i]
              end
            end
            return gone
            """);

    /**
     * KEYS: hold expiries (zset), the hold's claim marker. ARGV: ms from now the hold lives, hold id, "1" when parking it
     * first. Sets a parked hold's expiry (an ask-client question's, kept until its requestState expires) and marks it
     * parked, claimable once ({@link #CLAIM}) for as long as it is kept; returns 0 when the hold is gone, or claimed
     * already (its claimer keeps it: a later keep must not make it claimable again).
     */
    private static final RedisStore.Script KEEP = RedisStore.Script.of("""
            local marker = redis.call('GET', KEYS[2])
            if (marker and marker ~= 'parked') or (not marker and ARGV[3] ~= '1') then
              return 0
            end
            if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
              return 0
            end
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
            redis.call('SET', KEYS[2], 'parked', 'PX', ARGV[1])
            return 1
            """);

    /**
     * KEYS: hold expiries (zset), hold amounts (hash), the hold's claim marker. ARGV: hold ttl ms, marker ttl ms, hold id,
     * the claimant. Hands a parked hold to one claimant only, on whichever replica: its amount, with its expiry back to
     * hold-expiry for the claimer to renew; -1 when it is gone (settled, lapsed), not parked, or another's. The marker says
     * "parked" from {@link #KEEP} on and names its claimant once claimed; a claim is never given again, however long the
     * claimed call runs (review AZ: a marker set only at claim, with a TTL, expired under a long call, and a replay claimed
     * the running call's hold and released it). The same claimant claiming again gets it again: its reply was lost.
     */
    private static final RedisStore.Script CLAIM = RedisStore.Script.of("""
            local amount = redis.call('HGET', KEYS[2], ARGV[3])
            if not amount or not redis.call('ZSCORE', KEYS[1], ARGV[3]) then
              return -1
            end
            local marker = redis.call('GET', KEYS[3])
            if marker ~= ARGV[4] then
              if marker ~= 'parked' then
                return -1
              end
              redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[2])
            end
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
            return tonumber(amount)
            """);

    /** KEYS: account, the write's marker. ARGV: micros, marker ttl ms. Adds once per write id, however often it is retried. */
    private static final RedisStore.Script RECORD = RedisStore.Script.of(INTEGERS + """
            local bad = notIntegers(KEYS[1])
            if bad then
              return bad
            end
            if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then
              redis.call('HINCRBY', KEYS[1], 'spent', ARGV[1])
            end
            return 1
            """);

    /** Retries of one write stop long before this (the drain on stop is seconds); markers then expire. */
    private static final long WRITE_MARKER_TTL_MILLIS = Duration.ofHours(1).toMillis();

    /** Renewed this often, a hold survives two renewals failing in a row before it lapses. */
    private static final int RENEWALS_PER_HOLD_EXPIRY = 3;

    /**
     * Releases of failed reserves waiting at once (FailedReserveReleases): with Redis away for a whole hold-expiry this
     * is at most this many attempts a second; a gateway's failed reserves beyond it lapse after hold-expiry if they landed.
     */
    static final int MAX_PENDING_RESERVE_RELEASES = 10_000;

    private final RedisStore store;
    private final long holdTtlMillis;
    /** Retried settles stop once hold-expiry has passed (Budgets); the marker outlives them as a write's does. */
    private final long settledMarkerTtlMillis;
    private final HoldRenewals renewals;
    private final FailedReserveReleases failedReserves;

    public RedisSpendLedger(RedisStore store, Duration holdExpiry) {
        this(store, holdExpiry, MAX_PENDING_RESERVE_RELEASES);
    }

    RedisSpendLedger(RedisStore store, Duration holdExpiry, int maxPendingReserveReleases) {
        this.store = store;
        this.holdTtlMillis = holdExpiry.toMillis();
        this.settledMarkerTtlMillis = holdTtlMillis + WRITE_MARKER_TTL_MILLIS;
        this.renewals = new HoldRenewals(store.vertx(), holdTtlMillis / RENEWALS_PER_HOLD_EXPIRY, this::renew);
        this.failedReserves = new FailedReserveReleases(this::releaseFailedReserve, holdExpiry.toNanos(), maxPendingReserveReleases);
    }

    @Override
    public CompletionStage<Long> spent(SpendKey key) {
        // A negative spend (set by hand, corrupted) is read as nothing spent, as the HTTP ledger reads it, not as room.
        return store.hget(account(key), "spent").map(r -> r == null ? 0L : Math.max(0L, r.toLong())).toCompletionStage();
    }

    @Override
    public CompletionStage<Void> record(SpendKey key, long micros, String writeId) {
        String tree = treeId(key);
        return store.run(RECORD, List.of(store.key("spend", tree), store.key("write:" + writeId, tree)),
                        List.of(Long.toString(micros), Long.toString(WRITE_MARKER_TTL_MILLIS)))
                .<Void>mapEmpty().toCompletionStage();
    }

    @Override
    public CompletionStage<Reservation> reserve(SpendKey key, long micros, long limitMicros) {
        return reserve(key, micros, limitMicros, UUID.randomUUID().toString());
    }

    /** With the hold id given: tests send a reserve after its release. */
    CompletionStage<Reservation> reserve(SpendKey key, long micros, long limitMicros, String id) {
        List<String> keys = holdKeys(key, id);
        return store.run(RESERVE, keys, List.of(Long.toString(micros), Long.toString(limitMicros), id,
                        Long.toString(holdTtlMillis)))
                .map(r -> {
                    Reservation reservation = reservation(key, id, micros, r);
                    // Tracked before the caller sees it: a settle can then never come before the tracking it stops.
                    renewals.track(reservation);
                    return reservation;
                })
                .onFailure(error -> {
                    // The call is denied (or held locally with allow-stale), but a reserve that timed out may still run
                    // in Redis: its hold, if any, is released, so it neither outlives the call nor counts it twice.
                    failedReserves.release(key, keys, id);
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> commit(Reservation reservation, long actualMicros) {
        return settle(reservation, actualMicros);
    }

    @Override
    public CompletionStage<Void> release(Reservation reservation) {
        return settle(reservation, 0);
    }

    /**
     * Renewal ends with the first attempt, whatever its outcome: the hold then has at least two thirds of hold-expiry
     * left for the caller's retries, and a call whose settle never gets through cannot keep its hold forever.
     */
    private CompletionStage<Void> settle(Reservation reservation, long actualMicros) {
        renewals.stop(reservation);
        return settle(holdKeys(reservation.key(), reservation.id()), reservation.id(), actualMicros).toCompletionStage();
    }

    /**
     * Parks a granted hold until {@code until} (an ask-client question's hold, kept for the retry that carries the user's
     * answer, which may reach another replica): no longer renewed here, it lapses in Redis then unless {@link #claim}ed.
     * Parking it again (a nearer {@code until}, {@code first} false) changes nothing once it was claimed.
     *
     * @return whether the hold was still there, parked
     */
    public Future<Boolean> park(Reservation hold, java.time.Instant until, boolean first) {
        renewals.stop(hold);
        long ttl = Math.max(1, java.time.Duration.between(java.time.Instant.now(), until).toMillis());
        String tree = treeId(hold.key());
        return store.run(KEEP, List.of(store.key("hold-expiry", tree), claimMarker(tree, hold.id())),
                        List.of(Long.toString(ttl), hold.id(), first ? "1" : "0"))
                .map(r -> r != null && r.toLong() == 1);
    }

    /**
     * Takes over a parked hold, once across every replica: the hold as granted, renewed here while its call runs (settle it
     * as any hold), or null when it is gone or another claimant took it. The same {@code claimant} asking again (its
     * reply was lost) gets it again.
     */
    public Future<Reservation> claim(SpendKey key, String holdId, String claimant) {
        String tree = treeId(key);
        return store.run(CLAIM, List.of(store.key("hold-expiry", tree), store.key("hold-amount", tree), claimMarker(tree, holdId)),
                        List.of(Long.toString(holdTtlMillis), Long.toString(settledMarkerTtlMillis), holdId, claimant))
                .map(r -> {
                    long amount = r == null ? -1 : r.toLong();
                    if (amount < 0) {
                        return null;
                    }
                    Reservation hold = new Reservation(key, holdId, amount, true, 0, amount);
                    renewals.track(hold);
                    return hold;
                });
    }

    private String claimMarker(String tree, String holdId) {
        return store.key("claimed:" + holdId, tree);
    }

    /** A failed reserve's release: its hold id settled with nothing spent. */
    private Future<Void> releaseFailedReserve(List<String> keys, String holdId) {
        return settle(keys, holdId, 0);
    }

    private Future<Void> settle(List<String> keys, String holdId, long actualMicros) {
        return store.run(SETTLE, keys, List.of(holdId, Long.toString(actualMicros), Long.toString(settledMarkerTtlMillis)))
                .mapEmpty();
    }

    private Future<List<String>> renew(SpendKey key, List<String> holdIds) {
        List<String> args = new ArrayList<>(1 + holdIds.size());
        args.add(Long.toString(holdTtlMillis));
        args.addAll(holdIds);
        return store.run(RENEW, List.of(store.key("hold-expiry", treeId(key))), args).map(r -> {
            List<String> gone = new ArrayList<>(r.size());
            r.forEach(id -> gone.add(id.toString()));
            return gone;
        });
    }

    /** Releases of failed reserves not yet confirmed; the drain on stop waits for them as for settles. */
    public int reserveReleasesPending() {
        return failedReserves.pending();
    }

    /** Release attempts of failed reserves that failed (each retry counts). */
    public long reserveReleaseFailures() {
        return failedReserves.failures();
    }

    /** Failed reserves not released (too many waiting, hold-expiry of retries, or stop): if they landed, they lapse. */
    public long reserveReleasesAbandoned() {
        return failedReserves.abandoned();
    }

    /** Holds this gateway is keeping alive: its strict-mode calls in flight (0 when none runs). */
    public int holdsRenewing() {
        return renewals.live();
    }

    public long holdRenewalFailures() {
        return renewals.failures();
    }

    /** Holds that lapsed while their call still ran (the ledger was out of reach for a whole hold-expiry). */
    public long holdsLapsed() {
        return renewals.lapsed();
    }

    private static Reservation reservation(SpendKey key, String id, long micros, Response r) {
        boolean granted = r.get(0).toLong() == 1;
        return new Reservation(key, granted ? id : null, micros, granted, r.get(1).toLong(), r.get(2).toLong());
    }

    private String account(SpendKey key) {
        return store.key("spend", treeId(key));
    }

    /** The keys of RESERVE and SETTLE: the tree's account, hold expiries and amounts, and the hold id's settled marker. */
    private List<String> holdKeys(SpendKey key, String holdId) {
        String tree = treeId(key);
        return List.of(store.key("spend", tree), store.key("hold-expiry", tree), store.key("hold-amount", tree),
                store.key("settled:" + holdId, tree));
    }

    /** Tenant and tree joined unambiguously: a tenant containing the separator cannot forge another's key. */
    private static String treeId(SpendKey key) {
        return key.tenant().length() + ":" + key.tenant() + "/" + key.tree();
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public void close() {
        failedReserves.close();
        renewals.close();
        store.close();
    }
}
