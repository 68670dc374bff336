package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

/** Strict-mode settles through Budgets: retried with the same hold until the ledger confirms, given up after hold-expiry. */
class HoldSettlementsTest {

    /** An in-memory reserving ledger whose commits and releases fail while {@link #down} is set. */
    static final class Unreachable implements ReservingLedger {
        final InMemoryLedger ledger = new InMemoryLedger();
        final AtomicInteger attempts = new AtomicInteger();
        volatile boolean down = true;

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
            attempts.incrementAndGet();
            return down ? CompletableFuture.failedFuture(new IllegalStateException("connection reset")) : ledger.commit(reservation, actualMicros);
        }

        @Override
        public CompletionStage<Void> release(Reservation reservation) {
            attempts.incrementAndGet();
            return down ? CompletableFuture.failedFuture(new IllegalStateException("connection reset")) : ledger.release(reservation);
        }

        @Override
        public String kind() {
            return "redis";
        }
    }

    private static final SpendKey KEY = new SpendKey("acme", "tree-settle");

    private static Budgets strict(ReservingLedger ledger, Duration holdExpiry) {
        Duration ttl = Duration.ofSeconds(1);
        return Budgets.of(new BudgetConfig(true, BudgetConfig.LedgerKind.MEMORY, BudgetConfig.Mode.STRICT, ttl, ttl.multipliedBy(2),
                BudgetConfig.OnLedgerError.DENY, Duration.ZERO, Duration.ofMillis(250), holdExpiry, Duration.ofSeconds(5), null,
                PricingTable.NONE), ledger);
    }

    private static CallCharge held(Budgets budgets, ReservingLedger ledger) throws Exception {
        Reservation hold = ledger.reserve(KEY, 300_000, 1_000_000).toCompletableFuture().get(5, TimeUnit.SECONDS);
        return new CallCharge(KEY, budgets.cache().account(KEY), "upstream", "synthesize", 300_000, false, hold);
    }

    @Test
    void aReleaseThatFailsIsRetriedUntilTheLedgerConfirms() throws Exception {
        Unreachable ledger = new Unreachable();
        Budgets budgets = strict(ledger, Duration.ofMinutes(5));
        CallCharge charge = held(budgets, ledger);

        budgets.settle(charge, false, 0);
        // Only liveness bounds (a retry a second): a loaded machine may take longer than a few seconds.
        await().atMost(Duration.ofSeconds(10)).until(() -> ledger.attempts.get() >= 2);
        ledger.down = false;

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ledger.reserve(KEY, 1_000_000, 1_000_000).toCompletableFuture().get().granted())
                        .as("the released hold frees the whole budget").isTrue());
        assertThat(budgets.settlesAbandoned()).isZero();
    }

    @Test
    void aSettleStillFailingAfterHoldExpiryIsGivenUpAndCounted() throws Exception {
        Unreachable ledger = new Unreachable();
        Budgets budgets = strict(ledger, Duration.ofMillis(1500));
        CallCharge charge = held(budgets, ledger);

        budgets.settle(charge, true, 750_000);

        await().atMost(Duration.ofSeconds(10)).until(() -> budgets.settlesAbandoned() == 1);
        int attempts = ledger.attempts.get();
        assertThat(attempts).as("retried once a second until hold-expiry passed").isBetween(2, 3);
        assertThat(budgets.recordFailures()).isEqualTo(attempts);
        Thread.sleep(1500);
        assertThat(ledger.attempts.get()).as("no retry after giving up").isEqualTo(attempts);
    }
}
