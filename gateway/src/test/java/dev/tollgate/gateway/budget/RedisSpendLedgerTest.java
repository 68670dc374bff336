package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis ledger's writes against a real redis-server: a retried write or settle counts once, trees stay apart, a hold
 * lives while its call runs and lapses once its gateway is gone.
 */
class RedisSpendLedgerTest {

    private Vertx vertx;
    private RedisServer redis;
    private RedisSpendLedger ledger;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
        ledger = new RedisSpendLedger(new RedisStore(vertx, new RedisConfig(redis.uri(), "t", Duration.ofSeconds(2), 4)),
                Duration.ofMinutes(5));
    }

    @AfterEach
    void stop() throws Exception {
        ledger.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private long spent(SpendKey key) throws Exception {
        return ledger.spent(key).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private void record(SpendKey key, long micros, String writeId) throws Exception {
        ledger.record(key, micros, writeId).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aWriteSentAgainWithTheSameIdIsCountedOnce() throws Exception {
        SpendKey key = new SpendKey("acme", "tree-1");

        record(key, 250_000, "write-1");
        record(key, 250_000, "write-1");
        record(key, 100_000, "write-2");

        assertThat(spent(key)).isEqualTo(350_000);
    }

    @Test
    void theSameWriteIdOnAnotherTreeIsAnotherWrite() throws Exception {
        record(new SpendKey("acme", "tree-1"), 10, "write-1");
        record(new SpendKey("acme", "tree-2"), 20, "write-1");
        record(new SpendKey("other", "tree-1"), 30, "write-1");

        assertThat(spent(new SpendKey("acme", "tree-1"))).isEqualTo(10);
        assertThat(spent(new SpendKey("acme", "tree-2"))).isEqualTo(20);
        assertThat(spent(new SpendKey("other", "tree-1"))).isEqualTo(30);
    }

    private static final long LIMIT = 1_000_000;

    private static Reservation reserve(RedisSpendLedger ledger, SpendKey key, long micros) throws Exception {
        return ledger.reserve(key, micros, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private RedisSpendLedger ledgerWithHoldExpiry(Duration holdExpiry) {
        return new RedisSpendLedger(new RedisStore(vertx, new RedisConfig(redis.uri(), "t", Duration.ofSeconds(2), 4)), holdExpiry);
    }

    @Test
    void aCommitSentAgainAfterItLandedIsCountedOnce() throws Exception {
        SpendKey key = new SpendKey("acme", "tree-commit");
        Reservation hold = reserve(ledger, key, 300_000);

        ledger.commit(hold, 750_000).toCompletableFuture().get(5, TimeUnit.SECONDS);
        // The first answer timed out in the gateway, but the script ran: the retry must not add the spend again.
        ledger.commit(hold, 750_000).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(spent(key)).isEqualTo(750_000);
        Reservation next = reserve(ledger, key, 250_000);
        assertThat(next.granted()).isTrue();
        assertThat(next.heldMicros()).as("the settled hold is no longer held").isEqualTo(250_000);
    }

    @Test
    void aReleaseSentAgainReleasesOnlyItsOwnHold() throws Exception {
        SpendKey key = new SpendKey("acme", "tree-release");
        Reservation first = reserve(ledger, key, 300_000);
        Reservation second = reserve(ledger, key, 200_000);

        ledger.release(first).toCompletableFuture().get(5, TimeUnit.SECONDS);
        ledger.release(first).toCompletableFuture().get(5, TimeUnit.SECONDS);
        ledger.commit(first, 300_000).toCompletableFuture().get(5, TimeUnit.SECONDS); // settled already: nothing to record

        assertThat(spent(key)).isZero();
        assertThat(reserve(ledger, key, 100_000).heldMicros()).isEqualTo(second.micros() + 100_000);
    }

    @Test
    void aDeadGatewaysHoldLapsesAndItsLateCommitStillRecords() throws Exception {
        SpendKey key = new SpendKey("acme", "tree-dead");
        RedisSpendLedger dying = ledgerWithHoldExpiry(Duration.ofMillis(300));
        Reservation orphan = reserve(dying, key, 900_000);
        dying.close(); // its gateway died: nobody renews the hold

        Thread.sleep(500);
        Reservation later = reserve(ledger, key, 900_000);
        assertThat(later.granted()).as("the dead gateway's hold lapsed after hold-expiry").isTrue();

        ledger.commit(orphan, 50_000).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(spent(key)).as("a commit after the hold expired still records the cost").isEqualTo(50_000);
    }

    @Test
    void aRunningCallsHoldIsRenewedUntilItIsSettled() throws Exception {
        SpendKey key = new SpendKey("acme", "tree-renewed");
        RedisSpendLedger shortHolds = ledgerWithHoldExpiry(Duration.ofMillis(300));
        try {
            Reservation running = reserve(shortHolds, key, 900_000);
            Reservation refused = reserve(shortHolds, key, 900_000);
            assertThat(refused.granted()).isFalse();
            assertThat(shortHolds.holdsRenewing()).as("refused holds are not renewed").isEqualTo(1);

            Thread.sleep(700); // more than twice hold-expiry
            assertThat(reserve(shortHolds, key, 900_000).granted()).as("the running call still holds its budget").isFalse();

            shortHolds.release(running).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(shortHolds.holdsRenewing()).as("renewals stop once the call settles").isZero();
            assertThat(shortHolds.holdRenewalFailures()).isZero();
            assertThat(shortHolds.holdsLapsed()).isZero();
        } finally {
            shortHolds.close();
        }
    }
}
