package dev.tollgate.gateway.budget;

import dev.tollgate.policy.budget.ReservingLedger;
import dev.tollgate.policy.budget.Usd;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles strict-mode holds: commits a finished call's actual cost, or releases its hold, and retries with the
 * same hold until the ledger confirms (review Y: one failed commit, a Redis blip or a 250 ms timeout, lost the
 * call's cost for good). Retrying is safe because the ledger settles a hold once per hold id, and records the
 * cost even when the hold has expired meanwhile.
 *
 * <p>Retries stop after {@code hold-expiry}: the ledger's record that a hold was settled lives a bounded time,
 * and a retry later than it could count the cost twice. A settle given up is counted and logged with its cost.
 */
final class HoldSettlements {

    private static final Logger LOG = LoggerFactory.getLogger(HoldSettlements.class);

    /** As cached mode's record retries: a ledger that is down sees one attempt a second per pending hold. */
    private static final Executor RETRY = CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS);

    private final ReservingLedger ledger;
    private final long retryForNanos;
    private final BooleanSupplier closed;
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder failures = new LongAdder();
    private final LongAdder abandoned = new LongAdder();

    /** @param retryFor how long after the first attempt a settle is still retried (hold-expiry) */
    HoldSettlements(ReservingLedger ledger, Duration retryFor, BooleanSupplier closed) {
        this.ledger = ledger;
        this.retryForNanos = retryFor.toNanos();
        this.closed = closed;
    }

    /** Commits {@code actualMicros} when the call succeeded, else releases; returns at once, the ledger confirms later. */
    void settle(CallCharge charge, boolean succeeded, long actualMicros) {
        pending.incrementAndGet();
        attempt(charge, succeeded, succeeded ? actualMicros : 0, System.nanoTime() + retryForNanos);
    }

    private void attempt(CallCharge charge, boolean succeeded, long actual, long deadlineNanos) {
        CompletionStage<Void> settling;
        try {
            settling = succeeded ? ledger.commit(charge.reservation(), actual) : ledger.release(charge.reservation());
        } catch (RuntimeException e) {
            // A ledger implementation that throws instead of failing its stage: the same failure, retried.
            settling = CompletableFuture.failedFuture(e);
        }
        settling.whenComplete((v, error) -> {
            if (error == null) {
                // Charged before the hold's estimate leaves the account, so the spend known here never dips in between.
                charge.account().settle(heldHere(charge), actual);
                charge.account().acknowledge(actual);
                pending.decrementAndGet();
                return;
            }
            failures.increment();
            if (closed.getAsBoolean() || System.nanoTime() - deadlineNanos >= 0) {
                abandoned.increment();
                // Not charged here either: a charge the ledger never confirms would keep the drain on stop waiting.
                charge.account().settle(heldHere(charge), 0);
                pending.decrementAndGet();
                LOG.error("gave up settling the hold of {} in the {} ledger ({} of actual cost not recorded; "
                        + "the hold lapses after hold-expiry): {}", charge.key(), ledger.kind(),
                        Usd.format(actual), error.toString());
                return;
            }
            LOG.warn("could not settle the hold of {} in the {} ledger (retrying in 1 s): {}", charge.key(), ledger.kind(),
                    error.toString());
            RETRY.execute(() -> attempt(charge, succeeded, actual, deadlineNanos));
        });
    }

    /** What the charge holds in its tree's account (a strict hold granted here is held there too, review BJ). */
    private static long heldHere(CallCharge charge) {
        return charge.local() ? charge.estimateMicros() : 0;
    }

    /** Settles sent and not yet confirmed (retries waiting included); the drain on stop waits for them. */
    int pending() {
        return pending.get();
    }

    /** Settle attempts that failed (each retry counts). */
    long failures() {
        return failures.sum();
    }

    /** Settles given up after hold-expiry of retries, or at stop: their cost is not in the ledger. */
    long abandoned() {
        return abandoned.sum();
    }
}
