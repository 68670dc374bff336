package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.budget.BudgetFacts;
import dev.tollgate.gateway.budget.Budgets;
import dev.tollgate.gateway.budget.CallCharge;
import dev.tollgate.gateway.budget.Secured;
import dev.tollgate.gateway.budget.SpendView;
import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.policy.budget.InMemoryLedger;
import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.ReservingLedger;
import dev.tollgate.policy.budget.SpendKey;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Review Y, finding (medium): in {@code mode: strict} a call's cost reaches the ledger only through the one
 * {@code commit} Budgets.settle sends when the call ends. If that commit fails (a Redis connection reset or failover, a
 * {@code timeout: 250ms} on a script that did not run), the failure is counted and logged ("the hold expires in the
 * ledger") and nothing else happens: the hold is dropped after {@code hold-expiry} and the actual cost is never
 * recorded. Cached mode retries every write with the same id until the ledger confirms it; strict mode, the mode sold as
 * "spend + holds never pass the limit", loses the charge on one failed round trip. The call ran and was answered.
 *
 * <p>Input: strict mode, budget $1.00, a call held at its $0.30 estimate, the upstream reports $0.75; the ledger's first
 * commit fails (once), everything after succeeds.
 *
 * <p>Gateway accounted: $0 in the ledger, for good (3 s later still $0; the hold itself is gone after hold-expiry). What
 * happened: a $0.75 call was answered. Every commit lost this way is a call the budget never sees: during a Redis blip
 * every call finishing is free.
 *
 * <p>Suggested fix: retry a failed commit/release as cached mode retries a record (same hold id, until the ledger
 * confirms it or hold-expiry passes); for that the SETTLE script must become idempotent (today a retried commit whose
 * first attempt landed adds the spend twice: record a settled marker per hold id, as RECORD keeps per write id). If the
 * hold is already gone when a retry lands, record the cost anyway (SETTLE already does: "a hold already expired still
 * records").
 */
class StrictCommitFailureReviewYTest {

    /** The in-memory reserving ledger, whose first commit fails as a Redis round trip that timed out would. */
    static final class FirstCommitFails implements ReservingLedger {
        final InMemoryLedger ledger = new InMemoryLedger();
        final AtomicInteger commits = new AtomicInteger();

        @Override
        public CompletionStage<Long> spent(SpendKey key) {
            return ledger.spent(key);
        }

        @Override
        public CompletionStage<Void> record(SpendKey key, long micros, String writeId) {
            return ledger.record(key, micros, writeId);
        }

        @Override
        public CompletionStage<Reservation> reserve(SpendKey key, long micros, long limitMicros) {
            return ledger.reserve(key, micros, limitMicros);
        }

        @Override
        public CompletionStage<Void> commit(Reservation reservation, long actualMicros) {
            if (commits.incrementAndGet() == 1) {
                return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException("redis: timed out after 250 ms"));
            }
            return ledger.commit(reservation, actualMicros);
        }

        @Override
        public CompletionStage<Void> release(Reservation reservation) {
            return ledger.release(reservation);
        }

        @Override
        public String kind() {
            return "redis";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aCommitThatFailsOnceIsRetriedAndTheCostRecorded() throws Exception {
        FirstCommitFails ledger = new FirstCommitFails();
        Duration ttl = Duration.ofSeconds(1);
        BudgetConfig config = new BudgetConfig(true, BudgetConfig.LedgerKind.MEMORY, BudgetConfig.Mode.STRICT, ttl, ttl.multipliedBy(2),
                BudgetConfig.OnLedgerError.DENY, Duration.ZERO, Duration.ofMillis(250), Duration.ofMinutes(5), Duration.ofSeconds(5), null,
                PricingTable.NONE);
        Budgets budgets = Budgets.of(config, ledger);
        SpendKey key = new SpendKey("acme", "tree-strict");

        SpendView view = budgets.view(key, null).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        BudgetFacts facts = new BudgetFacts(view, 300_000);
        assertThat(facts.overBudget("synthesis-budget", 1_000_000)).isFalse();
        Secured secured = budgets.secure(facts, key, "upstream", "synthesize").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        CallCharge charge = ((Secured.Granted) secured).charge();
        assertThat(charge.reservation()).as("strict: held in the ledger").isNotNull();

        budgets.settle(charge, true, 750_000); // the call succeeded, the upstream reported $0.75

        long spent = 0;
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until && (spent = ledger.spent(key).toCompletableFuture().get()) == 0) {
            Thread.sleep(50);
        }
        assertThat(spent).as("ledger spend 3 s after a $0.75 call whose first commit failed (%d commit attempts)", ledger.commits.get())
                .isEqualTo(750_000);
    }
}
