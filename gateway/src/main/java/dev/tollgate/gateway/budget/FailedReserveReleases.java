package dev.tollgate.gateway.budget;

import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases the hold of a strict-mode reserve that failed on this gateway (review AP): the gateway's timeout does not
 * cancel a command already sent, so a reserve that timed out may still run once Redis is responsive again, and its hold
 * would belong to no call until hold-expiry (the call was denied), one more per retry of the caller. The release is the
 * settle of that hold id with 0, retried once a second as settles are until Redis confirms it, for up to hold-expiry (a
 * hold that did land has lapsed by then). The ledger's RESERVE does nothing for a hold id already settled, so a release
 * that reaches Redis before its late reserve still wins.
 *
 * <p>At most {@code maxPending} releases wait at once: a Redis that is down fails every budgeted call, and one retry
 * loop per failed call would grow with the callers' retries, not with the calls in flight. Past the bound a failed
 * reserve is not released (counted as abandoned): if it did land, its hold lapses after hold-expiry, as before.
 */
final class FailedReserveReleases implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FailedReserveReleases.class);

    /** As settles are retried: a Redis that is down sees one attempt a second per pending release. */
    private static final Executor RETRY = CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS);

    /** One "not released" warning a minute at most, however many reserves fail while Redis is away. */
    private static final long ABANDONED_LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** Settles a hold id with 0; {@code keys} are the ones the reserve was sent with (the tree's keys and the id's marker). */
    @FunctionalInterface
    interface Releaser {
        Future<?> release(List<String> keys, String holdId);
    }

    private final Releaser releaser;
    private final long retryForNanos;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder failures = new LongAdder();
    private final LongAdder abandoned = new LongAdder();
    private final AtomicLong abandonedLoggedNanos = new AtomicLong(System.nanoTime() - ABANDONED_LOG_EVERY_NANOS);
    private volatile boolean closed;

    /**
     * @param retryForNanos how long after the reserve failed its release is still retried (hold-expiry)
     * @param maxPending    releases waiting at once, retries included, past which a failed reserve is left to lapse
     */
    FailedReserveReleases(Releaser releaser, long retryForNanos, int maxPending) {
        this.releaser = releaser;
        this.retryForNanos = retryForNanos;
        this.maxPending = maxPending;
    }

    /** Releases the hold a failed reserve may have left; returns at once. */
    void release(SpendKey key, List<String> keys, String holdId) {
        if (closed) {
            return;
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            giveUp(key, "more than " + maxPending + " releases already waiting");
            return;
        }
        attempt(key, keys, holdId, System.nanoTime() + retryForNanos);
    }

    private void attempt(SpendKey key, List<String> keys, String holdId, long deadlineNanos) {
        Future<?> releasing;
        try {
            releasing = releaser.release(keys, holdId);
        } catch (RuntimeException e) {
            releasing = Future.failedFuture(e);
        }
        releasing.onComplete(ar -> {
            if (ar.succeeded()) {
                pending.decrementAndGet();
                return;
            }
            failures.increment();
            if (closed || System.nanoTime() - deadlineNanos >= 0) {
                pending.decrementAndGet();
                giveUp(key, ar.cause().toString());
                return;
            }
            LOG.debug("could not release the hold of a failed reserve of {} (retrying in 1 s): {}", key, ar.cause().toString());
            RETRY.execute(() -> attempt(key, keys, holdId, deadlineNanos));
        });
    }

    private void giveUp(SpendKey key, String why) {
        abandoned.increment();
        long last = abandonedLoggedNanos.get();
        long now = System.nanoTime();
        if (now - last >= ABANDONED_LOG_EVERY_NANOS && abandonedLoggedNanos.compareAndSet(last, now)) {
            LOG.warn("did not release the hold of a failed reserve of {} ({}): if the reserve landed, its hold lapses after "
                    + "hold-expiry (tollgate_ledger_settle_abandoned_total counts them; logged at most once a minute)", key, why);
        }
    }

    /** Releases sent and not yet confirmed (retries waiting included); the drain on stop waits for them. */
    int pending() {
        return pending.get();
    }

    /** Release attempts that failed (each retry counts). */
    long failures() {
        return failures.sum();
    }

    /** Failed reserves not released: past the bound, after hold-expiry of retries, or at stop. */
    long abandoned() {
        return abandoned.sum();
    }

    @Override
    public void close() {
        closed = true;
    }
}
