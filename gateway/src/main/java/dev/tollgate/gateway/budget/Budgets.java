package dev.tollgate.gateway.budget;

import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.config.RateLimitConfig;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.budget.InMemoryLedger;
import dev.tollgate.policy.budget.ReservingLedger;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.policy.budget.SpendLedger;
import dev.tollgate.policy.budget.Usd;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend and rate state for the whole process: the ledger, its cache, the token buckets. Created once at
 * start from the first configuration (a reload keeps them; the pricing table does reload). Every method
 * is asynchronous and safe from any event loop.
 */
public final class Budgets implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Budgets.class);

    private static final Executor RETRY = CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS);

    private final BudgetConfig config;
    private final SpendLedger ledger;
    private final ReservingLedger strict;
    private final HoldSettlements settlements;
    private final SpendCache cache;
    private final RateLimiter rateLimiter;
    private final RedisStore redis;
    private volatile boolean closed;
    /**
     * Whether calls are charged: the serving snapshot's {@code budgets.enabled} (review BP: read from the start
     * configuration, a reload adding a budgets section was reported applied while no call was charged).
     */
    private volatile boolean accounting;
    private final LongAdder holdsRefused = new LongAdder();
    private final LongAdder rateRefused = new LongAdder();
    /** Calls refused because the local bucket table (or the caller's share of it) was full. */
    private final LongAdder rateTableFull = new LongAdder();
    /** When the last "table full" warning was logged: one a minute at most, however many calls are refused. */
    private final java.util.concurrent.atomic.AtomicLong tableFullLoggedNanos = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - TABLE_FULL_LOG_EVERY);
    private static final long TABLE_FULL_LOG_EVERY = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    private final LongAdder recordFailures = new LongAdder();
    private final LongAdder degradedHolds = new LongAdder();
    private final DeferredCosts deferred;
    private final QuestionHolds questionHolds;

    Budgets(BudgetConfig config, SpendLedger ledger, RateLimiter rateLimiter, RedisStore redis, Duration taskRetention) {
        this.config = config;
        this.accounting = config.enabled();
        this.deferred = new DeferredCosts(taskRetention);
        this.ledger = ledger;
        this.strict = config.mode() == BudgetConfig.Mode.STRICT ? (ReservingLedger) ledger : null;
        this.settlements = strict == null ? null : new HoldSettlements(strict, config.holdExpiry(), () -> closed);
        this.cache = new SpendCache(ledger, config);
        this.rateLimiter = rateLimiter;
        this.redis = redis;
        this.questionHolds = new QuestionHolds(strict instanceof RedisSpendLedger redisLedger ? redisLedger : null,
                charge -> settle(charge, false, 0));
    }

    public static Budgets create(Vertx vertx, GatewayConfig config) {
        BudgetConfig budget = config.budget();
        boolean needsRedis = budget.ledger() == BudgetConfig.LedgerKind.REDIS
                || config.rateLimits().store() == RateLimitConfig.Store.REDIS;
        RedisStore redis = needsRedis ? new RedisStore(vertx, config.redis()) : null;
        SpendLedger ledger = switch (budget.ledger()) {
            case MEMORY -> new InMemoryLedger();
            case HTTP -> new HttpSpendLedger(vertx, budget.http(), budget.timeout());
            case REDIS -> new RedisSpendLedger(redis, budget.holdExpiry());
        };
        RateLimiter limiter = config.rateLimits().store() == RateLimitConfig.Store.REDIS ? new RedisRateLimiter(redis)
                : new LocalTokenBuckets(config.rateLimits());
        return new Budgets(budget, ledger, limiter, redis, config.tasks().retention());
    }

    /** For tests: a given ledger, local buckets. */
    public static Budgets of(BudgetConfig config, SpendLedger ledger) {
        return new Budgets(config, ledger, new LocalTokenBuckets(RateLimitConfig.DEFAULT), null,
                dev.tollgate.gateway.config.TasksConfig.DEFAULT_RETENTION);
    }

    /** The tree a call is charged to: tenant and spawn tree from the AXID; null when either is missing. */
    public static SpendKey keyOf(Identity identity) {
        return identity.tenant() == null || identity.tree() == null ? null : new SpendKey(identity.tenant(), identity.tree());
    }

    /** Whether calls are charged at all (the serving configuration has a budgets section). */
    public boolean accounting() {
        return accounting;
    }

    /**
     * A reload's budgets section now serves: whether calls are charged follows it. The ledger, its cache, the hold and
     * drain settings stay those of the start (a change to them is named in the reload's {@code needRestart}).
     */
    public void serving(BudgetConfig next) {
        accounting = next.enabled();
    }

    public Future<SpendView> view(SpendKey key, Context context) {
        return cache.view(key, context);
    }

    /**
     * Secures what evaluation asked for: a token from each rate-limit bucket, then a hold of the call's
     * estimated cost against the tightest budget limit (in the ledger in strict mode, else in this
     * gateway's account). Tokens come first: a call refused by rate never holds budget.
     *
     * @param key null when the call has no tree (then only rate limits apply and nothing is charged)
     */
    public Future<Secured> secure(BudgetFacts facts, SpendKey key, String route, String tool) {
        return secure(facts, key, route, tool, true);
    }

    /** @param priced whether the call is priced; an unpriced call's charge settles at 0 whatever its tool's price */
    public Future<Secured> secure(BudgetFacts facts, SpendKey key, String route, String tool, boolean priced) {
        return secure(facts, key, route, tool, priced, true);
    }

    /**
     * @param takesRateTokens false for a call that runs only because its policy is in shadow mode (enforce would have
     *                        refused it): it pays what it costs, but takes no rate token enforce would not have taken
     */
    public Future<Secured> secure(BudgetFacts facts, SpendKey key, String route, String tool, boolean priced, boolean takesRateTokens) {
        Future<Secured.Refused> tokens = Future.succeededFuture(null);
        Obligation.BudgetHold tightest = null;
        for (Obligation o : facts.obligations()) {
            if (o instanceof Obligation.RateToken t && takesRateTokens) {
                tokens = tokens.compose(refused -> refused != null ? Future.succeededFuture(refused) : take(t));
            } else if (o instanceof Obligation.BudgetHold h && (tightest == null || h.limitMicros() < tightest.limitMicros())) {
                tightest = h;
            }
        }
        Obligation.BudgetHold hold = tightest;
        return tokens.compose(refused -> {
            if (refused != null) {
                return Future.succeededFuture(refused);
            }
            if (key == null || !accounting() && hold == null) {
                return Future.succeededFuture(new Secured.Granted(null));
            }
            TreeAccount account = cache.account(key);
            if (hold == null) {
                return Future.succeededFuture(new Secured.Granted(
                        new CallCharge(key, account, route, tool, facts.costMicros(), false, null, priced)));
            }
            return strict != null ? reserve(facts, key, account, route, tool, hold, priced) : holdLocally(facts, key, account, route, tool, hold, priced);
        });
    }

    private Future<Secured.Refused> take(Obligation.RateToken t) {
        return rateLimiter.tryTake(t.tenant(), t.owner(), t.key(), t.perSecond(), t.burst())
                .map(ok -> {
                    if (ok) {
                        return (Secured.Refused) null;
                    }
                    rateRefused.increment();
                    return new Secured.Refused(t.rule(), BudgetMessages.rateLimited(t.key(), t.perSecond(), t.burst()));
                })
                .recover(error -> {
                    if (error instanceof LocalTokenBuckets.TableFull full) {
                        rateTableFull.increment();
                        warnTableFull(full);
                        return Future.succeededFuture(new Secured.Refused(t.rule(), full.getMessage() + "; denied (fail closed)"));
                    }
                    return Future.succeededFuture(new Secured.Refused(t.rule(),
                            "rate-limit store unavailable: " + error.getMessage() + "; denied (fail closed)"));
                });
    }

    private Future<Secured> holdLocally(BudgetFacts facts, SpendKey key, TreeAccount account, String route, String tool,
                                        Obligation.BudgetHold hold, boolean priced) {
        SpendReading reading = facts.view().reading();
        if (account.tryHold(reading.base(), facts.costMicros(), hold.limitMicros())) {
            return Future.succeededFuture(new Secured.Granted(
                    new CallCharge(key, account, route, tool, facts.costMicros(), true, null, priced)));
        }
        holdsRefused.increment();
        return Future.succeededFuture(new Secured.Refused(hold.rule(),
                BudgetMessages.over(reading.effectiveMicros(), facts.costMicros(), hold.limitMicros())));
    }

    private Future<Secured> reserve(BudgetFacts facts, SpendKey key, TreeAccount account, String route, String tool,
                                    Obligation.BudgetHold hold, boolean priced) {
        Context context = Vertx.currentContext();
        var reserving = strict.reserve(key, facts.costMicros(), hold.limitMicros());
        // Back to the caller's event loop: the exchange is only ever touched there.
        return (context == null ? Future.fromCompletionStage(reserving) : Future.fromCompletionStage(reserving, context))
                .<Secured>map(r -> {
                    if (r.granted()) {
                        // Held here too until its settle is confirmed (review BJ): a degraded local hold during a blip, and
                        // the pre-check, see this gateway's own calls running; HoldSettlements takes it off, on every end.
                        account.hold(facts.costMicros());
                        return new Secured.Granted(new CallCharge(key, account, route, tool, facts.costMicros(), true, r, priced));
                    }
                    holdsRefused.increment();
                    return new Secured.Refused(hold.rule(), BudgetMessages.over(r.spentMicros() + r.heldMicros(),
                            facts.costMicros(), hold.limitMicros()));
                })
                .recover(error -> {
                    if (config.onLedgerError() == BudgetConfig.OnLedgerError.ALLOW_STALE && facts.view().reading() != null) {
                        // Degraded, as configured: hold against the cached spend on this gateway alone.
                        degradedHolds.increment();
                        return holdLocally(facts, key, account, route, tool, hold, priced);
                    }
                    return Future.succeededFuture(new Secured.Refused(hold.rule(), "spend ledger (" + ledger.kind()
                            + ") unavailable: " + error.getMessage() + "; denied (fail closed)"));
                });
    }

    /** Ends a charge: the actual cost is recorded on success; holds are released either way. */
    public void settle(CallCharge charge, boolean succeeded, long actualMicros) {
        long actual = succeeded ? actualMicros : 0;
        if (charge.reservation() != null) {
            settlements.settle(charge, succeeded, actual);
            return;
        }
        charge.account().settle(charge.local() ? charge.estimateMicros() : 0, actual);
        if (actual > 0) {
            write(charge.key(), charge.account(), charge.account().queueRecord(actual));
        }
    }

    /**
     * Parks the budget hold of a call held for approval whose 2026-07-28 client was asked ({@link QuestionHolds}): kept,
     * not paid nor released, for the retry carrying the answer, until its requestState expires or hold-expiry after the
     * approval's deadline, whichever is first (a retry after its deadline goes on only under {@code on-timeout: allow},
     * a yes at the deadline; a hold kept longer, its replica gone with the approval, would only shrink the budget).
     *
     * @return the reference to seal in the requestState, or null when the charge holds nothing
     */
    public String parkQuestionHold(CallCharge charge, java.time.Instant stateExpires, java.time.Instant approvalDeadline) {
        java.time.Instant decidedBy = approvalDeadline.plus(config.holdExpiry());
        return questionHolds.park(charge, decidedBy.isBefore(stateExpires) ? decidedBy : stateExpires);
    }

    /** Takes over a parked question hold for the retry of its call, once; completes with null when it cannot. */
    public Future<CallCharge> takeOverQuestionHold(String ref, SpendKey key, String route, String tool) {
        return key == null ? Future.succeededFuture() : questionHolds.takeOver(ref, key, cache.account(key), route, tool);
    }

    /** Releases a parked question hold no retry will take over (its approval ended without a yes). */
    public void releaseQuestionHold(String ref, SpendKey key) {
        if (ref != null && key != null) {
            questionHolds.release(ref, key, cache.account(key));
        }
    }

    /** A parked question hold's approval ended with a yes: kept hold-expiry more at most, for the retry to take it over. */
    public void questionApproved(String ref, SpendKey key) {
        if (key != null) {
            questionHolds.keepUntil(ref, key, java.time.Instant.now().plus(config.holdExpiry()));
        }
    }

    /** Question holds parked on this gateway (cached mode, in-memory ledger), not yet taken over nor released. */
    public int questionHoldsParkedHere() {
        return questionHolds.parkedHere();
    }

    /** Calls whose cost is reported after their own exchange ended (tasks, resumed streams). */
    public DeferredCosts deferred() {
        return deferred;
    }

    /** A deferred call as another replica shared it: charged to {@code key}, priced by route and tool, held at the estimate. */
    public DeferredCosts.Deferred deferredFor(SpendKey key, String route, String tool, long estimateMicros, long paidMicros) {
        return new DeferredCosts.Deferred(new CallCharge(key, cache.account(key), route, tool, estimateMicros, false, null), paidMicros);
    }

    /**
     * Charges what a deferred call's late answer reports beyond what the call already paid (nothing when it reports
     * less: the ledger only adds). Written as cached mode writes, in every mode: the call's hold, if any, is long settled.
     */
    public void settleDeferred(DeferredCosts.Deferred call, long actualMicros) {
        long extra = actualMicros - call.paidMicros();
        if (extra <= 0) {
            return;
        }
        TreeAccount account = call.charge().account();
        account.settle(0, extra);
        write(call.charge().key(), account, account.queueRecord(extra));
    }

    /** Writes queued charges to the ledger, one write in flight per tree. */
    private void write(SpendKey key, TreeAccount account, long micros) {
        if (micros > 0) {
            send(key, account, micros, UUID.randomUUID().toString());
        }
    }

    /**
     * Sends one write until the ledger confirms it, then the charges queued meanwhile. A failed write is
     * retried as it was, same amount and same id, never merged with newer charges: a write that timed out
     * may have landed, and only the same id lets the ledger count it once.
     */
    private void send(SpendKey key, TreeAccount account, long micros, String writeId) {
        if (closed) {
            return;
        }
        CompletionStage<Void> recording;
        try {
            recording = ledger.record(key, micros, writeId);
        } catch (RuntimeException e) {
            // A ledger implementation that throws instead of failing its stage: the same failure, retried.
            recording = CompletableFuture.failedFuture(e);
        }
        recording.whenComplete((v, error) -> {
            if (error == null) {
                account.acknowledge(micros);
                write(key, account, account.recorded());
            } else if (!closed) {
                recordFailures.increment();
                LOG.warn("could not record {} micro-USD spent by {} in the {} ledger (retrying in 1 s): {}",
                        micros, key, ledger.kind(), error.toString());
                // The write slot stays taken while waiting, so a ledger that is down sees one retry a second per tree.
                RETRY.execute(() -> send(key, account, micros, writeId));
            }
        });
    }

    /**
     * Waits until the ledger has confirmed every charge and every hold's settle, or the time is up; returns the charges
     * still unconfirmed (micro-USD).
     */
    private long awaitChargesRecorded(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        long pending = cache.unacknowledged();
        while ((pending > 0 || pendingSettles() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pending = cache.unacknowledged();
        }
        return pending;
    }

    /** Settles of holds, and releases of failed reserves' holds, not yet confirmed. */
    private int pendingSettles() {
        return (settlements == null ? 0 : settlements.pending())
                + (ledger instanceof RedisSpendLedger redisLedger ? redisLedger.reserveReleasesPending() : 0);
    }

    public SpendCache cache() {
        return cache;
    }

    public SpendLedger ledger() {
        return ledger;
    }

    public long holdsRefused() {
        return holdsRefused.sum();
    }

    public long rateRefused() {
        return rateRefused.sum();
    }

    private void warnTableFull(LocalTokenBuckets.TableFull full) {
        long last = tableFullLoggedNanos.get();
        long now = System.nanoTime();
        if (now - last >= TABLE_FULL_LOG_EVERY && tableFullLoggedNanos.compareAndSet(last, now)) {
            LOG.warn("{}: calls needing a new bucket are denied "
                    + "(tollgate_rate_table_full_total counts them; logged at most once a minute)", full.getMessage());
        }
    }

    public long rateTableFull() {
        return rateTableFull.sum();
    }

    /** Ledger writes that failed: cached-mode records, strict-mode settles and failed reserves' releases (each retry counts). */
    public long recordFailures() {
        return recordFailures.sum() + (settlements == null ? 0 : settlements.failures())
                + (ledger instanceof RedisSpendLedger redisLedger ? redisLedger.reserveReleaseFailures() : 0);
    }

    /**
     * Strict-mode settles given up (retried for hold-expiry, or pending at stop): those calls' costs are not in the ledger;
     * and failed reserves not released: if they landed, their holds lapse only after hold-expiry.
     */
    public long settlesAbandoned() {
        return (settlements == null ? 0 : settlements.abandoned())
                + (ledger instanceof RedisSpendLedger redisLedger ? redisLedger.reserveReleasesAbandoned() : 0);
    }

    /** Strict-mode holds this gateway keeps alive for its calls in flight; back to 0 when no call runs. */
    public int holdsRenewing() {
        return ledger instanceof RedisSpendLedger redisLedger ? redisLedger.holdsRenewing() : 0;
    }

    /** Strict-mode holds found lapsed while their call still ran. */
    public long holdsLapsed() {
        return ledger instanceof RedisSpendLedger redisLedger ? redisLedger.holdsLapsed() : 0;
    }

    public long degradedHolds() {
        return degradedHolds.sum();
    }

    /**
     * Stops after the ledger has every charge this gateway made (cached mode writes them behind the calls),
     * waiting at most {@code drain-timeout}: a rolling restart must not hand out budget a second time.
     * Blocks; call it from a worker thread, after the listeners have stopped taking calls.
     */
    @Override
    public void close() {
        long unwritten = awaitChargesRecorded(config.drainTimeout());
        if (pendingSettles() > 0) {
            LOG.warn("stopping with {} hold(s) not settled in the {} ledger after waiting {}: their costs are not recorded",
                    pendingSettles(), ledger.kind(), config.drainTimeout());
        }
        if (unwritten > 0) {
            LOG.warn("stopping with {} of charges not recorded in the {} ledger after waiting {}: the ledger undercounts them",
                    Usd.format(unwritten), ledger.kind(), config.drainTimeout());
        }
        closed = true;
        ledger.close();
        rateLimiter.close();
        if (redis != null) {
            redis.close();
        }
    }
}
