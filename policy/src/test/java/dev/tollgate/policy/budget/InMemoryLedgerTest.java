package dev.tollgate.policy.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryLedgerTest {

    private static final SpendKey TREE = new SpendKey("acme", "tree-1");

    @Test
    void concurrentReservesNeverHoldMoreThanTheLimit() throws Exception {
        InMemoryLedger ledger = new InMemoryLedger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Reservation>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> ledger.reserve(TREE, 70, 1_000).toCompletableFuture().get()));
            }
            int granted = 0;
            for (Future<Reservation> r : results) {
                granted += r.get().granted() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(14);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void commitRecordsTheActualCostAndReleaseFreesTheHold() throws Exception {
        InMemoryLedger ledger = new InMemoryLedger();
        Reservation a = ledger.reserve(TREE, 600, 1_000).toCompletableFuture().get();
        Reservation refused = ledger.reserve(TREE, 600, 1_000).toCompletableFuture().get();
        assertThat(a.granted()).isTrue();
        assertThat(refused.granted()).isFalse();
        assertThat(refused.heldMicros()).isEqualTo(600);

        ledger.commit(a, 250).toCompletableFuture().get();
        Reservation b = ledger.reserve(TREE, 700, 1_000).toCompletableFuture().get();
        assertThat(b.granted()).isTrue();
        ledger.release(b).toCompletableFuture().get();

        assertThat(ledger.spent(TREE).toCompletableFuture().get()).isEqualTo(250);
        assertThat(ledger.reserve(TREE, 750, 1_000).toCompletableFuture().get().granted()).isTrue();
    }

    @Test
    void aSettleSentAgainCountsOnce() throws Exception {
        InMemoryLedger ledger = new InMemoryLedger();
        Reservation committed = ledger.reserve(TREE, 300, 1_000).toCompletableFuture().get();
        Reservation released = ledger.reserve(TREE, 200, 1_000).toCompletableFuture().get();

        // The gateway retries a settle whose answer it did not see: the ledger must not apply it twice.
        ledger.commit(committed, 750).toCompletableFuture().get();
        ledger.commit(committed, 750).toCompletableFuture().get();
        ledger.release(released).toCompletableFuture().get();
        ledger.release(released).toCompletableFuture().get();

        assertThat(ledger.spent(TREE).toCompletableFuture().get()).isEqualTo(750);
        assertThat(ledger.reserve(TREE, 250, 1_000).toCompletableFuture().get().heldMicros()).as("no hold left, none negative")
                .isEqualTo(250);
    }

    @Test
    void dollarsConvertExactlyAndPricesNeverRoundDown() {
        assertThat(Usd.micros(new BigDecimal("10"))).isEqualTo(10_000_000);
        assertThat(Usd.micros(new BigDecimal("0.0000001"))).isEqualTo(1);
        assertThat(Usd.format(9_800_000)).isEqualTo("$9.80");
        assertThat(Usd.format(2_500)).isEqualTo("$0.0025");
    }
}
