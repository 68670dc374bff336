package dev.tollgate.gateway.budget;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.policy.budget.SpendLedger;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Spend per tree through a TTL cache, so deciding a call costs a hash lookup, not a ledger round trip.
 * <ul>
 *   <li>A read older than {@code cache-ttl} is refreshed in the background on the next call, which is
 *       decided on the old read plus this gateway's charges since (never blocks, never waits).</li>
 *   <li>One read at a time per tree: concurrent calls share the read in flight.</li>
 *   <li>A read older than {@code cache-max-age} is dropped: calls then wait for a fresh read.</li>
 *   <li>When the ledger fails: deny, or (allow-stale) decide on the last good read if younger than
 *       {@code max-staleness}.</li>
 * </ul>
 * Bound on overshoot in cached mode: this gateway never overshoots by its own calls (it adds its own
 * charges and running holds to every read); N replicas together overshoot by at most what the other
 * replicas charge within one {@code cache-max-age} (their charges reach the ledger, and so this gateway,
 * at the next read).
 */
public final class SpendCache {

    private final SpendLedger ledger;
    private final AsyncLoadingCache<SpendKey, SpendReading> readings;
    private final Cache<SpendKey, SpendReading> lastGood;
    private final Cache<SpendKey, TreeAccount> accounts;
    /**
     * Every account something still refers to: a call's charge running or parked (an ask-client question's hold, a held
     * call's) keeps its account here however long nobody reads the tree, so a read finds the account holding it, never a
     * fresh one that does not (review AZ: an account dropped after an hour unread forgot a parked hold, and the tree went
     * past its budget on this replica). Weak values: an account nothing refers to goes with the next collection.
     */
    private final Cache<SpendKey, TreeAccount> referenced;
    private final Cache<SpendKey, Throwable> recentFailures;
    private final boolean allowStale;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder reads = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder staleUses = new LongAdder();
    /** Reads that answered less than this gateway had confirmed writing to the tree: the ledger lost data. */
    private final LongAdder regressions = new LongAdder();
    /** When the last "ledger went backwards" warning was logged: one a minute at most. */
    private final java.util.concurrent.atomic.AtomicLong regressionLoggedNanos =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - REGRESSION_LOG_EVERY);
    private static final long REGRESSION_LOG_EVERY = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SpendCache.class);

    public SpendCache(SpendLedger ledger, BudgetConfig config) {
        this.ledger = ledger;
        this.allowStale = config.onLedgerError() == BudgetConfig.OnLedgerError.ALLOW_STALE;
        // Accounts outlive any read by far (a read lives at most cache-max-age), so an account is never
        // dropped while a read still refers to it.
        this.accounts = Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(1)).build();
        this.referenced = Caffeine.newBuilder().weakValues().build();
        this.lastGood = Caffeine.newBuilder()
                .expireAfterWrite(allowStale ? config.maxStaleness() : Duration.ofNanos(1))
                .maximumSize(allowStale ? 1_000_000 : 0)
                .build();
        // While the ledger is down, a tree is read again at most once per TTL, not once per call.
        this.recentFailures = Caffeine.newBuilder().expireAfterWrite(config.cacheTtl()).maximumSize(1_000_000).build();
        this.readings = Caffeine.newBuilder()
                .refreshAfterWrite(config.cacheTtl())
                .expireAfterWrite(config.cacheMaxAge())
                .maximumSize(1_000_000)
                .buildAsync((key, executor) -> read(key));
    }

    /** The spend to decide on; completes at once when the tree's read is cached (the common case). */
    public Future<SpendView> view(SpendKey key, Context context) {
        if (readings.getIfPresent(key) == null) {
            Throwable recent = recentFailures.getIfPresent(key);
            if (recent != null) {
                misses.increment();
                return Future.succeededFuture(fallback(key, recent));
            }
        }
        CompletableFuture<SpendReading> reading = readings.get(key);
        if (reading.isDone() && !reading.isCompletedExceptionally()) {
            hits.increment();
            return Future.succeededFuture(SpendView.fresh(reading.join()));
        }
        misses.increment();
        CompletableFuture<SpendView> view = reading.handle((r, error) -> error == null ? SpendView.fresh(r) : fallback(key, error));
        // Ledger callbacks complete on the ledger client's thread: come back to the caller's event loop.
        return context == null ? Future.fromCompletionStage(view) : Future.fromCompletionStage(view, context);
    }

    /** This gateway's charges, over every tree, that the ledger has not confirmed recording yet (micro-USD). */
    long unacknowledged() {
        return accounts.asMap().values().stream().mapToLong(a -> a.charged() - a.acknowledged()).sum();
    }

    TreeAccount account(SpendKey key) {
        return accounts.get(key, k -> referenced.get(k, ignored -> new TreeAccount()));
    }

    private CompletableFuture<SpendReading> read(SpendKey key) {
        TreeAccount account = account(key);
        long acknowledged = account.acknowledged();
        long start = System.nanoTime();
        reads.increment();
        CompletableFuture<SpendReading> out = new CompletableFuture<>();
        ledger.spent(key).whenComplete((micros, error) -> {
            if (error != null) {
                failures.increment();
                recentFailures.put(key, error);
                out.completeExceptionally(error);
            } else {
                SpendReading r = new SpendReading(micros, acknowledged, start, account);
                if (r.regressed()) {
                    regressed(key, micros, acknowledged);
                }
                if (allowStale) {
                    lastGood.put(key, r);
                }
                out.complete(r);
            }
        });
        return out;
    }

    private void regressed(SpendKey key, long micros, long acknowledged) {
        regressions.increment();
        long last = regressionLoggedNanos.get();
        long now = System.nanoTime();
        if (now - last >= REGRESSION_LOG_EVERY && regressionLoggedNanos.compareAndSet(last, now)) {
            LOG.warn("the {} ledger answered {} micro-USD spent by {}, less than the {} this gateway had recorded there: the "
                    + "ledger lost data; this gateway keeps counting its own charges (tollgate_budget_ledger_regressions_total "
                    + "counts such reads; logged at most once a minute)", ledger.kind(), micros, key, acknowledged);
        }
    }

    private SpendView fallback(SpendKey key, Throwable error) {
        if (allowStale) {
            SpendReading last = lastGood.getIfPresent(key);
            if (last != null) {
                staleUses.increment();
                return SpendView.stale(last);
            }
        }
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        return SpendView.unavailable("spend ledger (" + ledger.kind() + ") unavailable: " + cause.getMessage() + "; denied (fail closed)");
    }

    public double hitRatio() {
        long h = hits.sum();
        long total = h + misses.sum();
        return total == 0 ? 1.0 : (double) h / total;
    }

    /** Ledger reads started (the benchmark counts these against calls). */
    public long reads() {
        return reads.sum();
    }

    public long failures() {
        return failures.sum();
    }

    /** Reads that answered less than this gateway had confirmed writing to the tree (the ledger lost data). */
    public long ledgerRegressions() {
        return regressions.sum();
    }

    public long staleUses() {
        return staleUses.sum();
    }
}
