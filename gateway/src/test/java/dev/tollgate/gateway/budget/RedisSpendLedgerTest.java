package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
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
        // Long enough that a renewal delayed by a loaded machine (other test JVMs on 2 cores) is not a lapse: at 300 ms one
        // was, once, while the renewal itself works as at any hold-expiry.
        RedisSpendLedger shortHolds = ledgerWithHoldExpiry(Duration.ofSeconds(1));
        try {
            Reservation running = reserve(shortHolds, key, 900_000);
            Reservation refused = reserve(shortHolds, key, 900_000);
            assertThat(refused.granted()).isFalse();
            assertThat(shortHolds.holdsRenewing()).as("refused holds are not renewed").isEqualTo(1);

            Thread.sleep(2_300); // more than twice hold-expiry
            assertThat(reserve(shortHolds, key, 900_000).granted()).as("the running call still holds its budget").isFalse();

            shortHolds.release(running).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(shortHolds.holdsRenewing()).as("renewals stop once the call settles").isZero();
            assertThat(shortHolds.holdRenewalFailures()).isZero();
            assertThat(shortHolds.holdsLapsed()).isZero();
        } finally {
            shortHolds.close();
        }
    }

    @Test
    void aReleaseThatReachesRedisBeforeItsLateReserveWins() throws Exception {
        SpendKey key = new SpendKey("acme", "tree-overtaken");
        // The gateway gave up on reserve "late-hold" and released it; the release ran first, the reserve arrives now.
        ledger.release(new Reservation(key, "late-hold", 600_000, true, 0, 0)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        Reservation late = ledger.reserve(key, 600_000, LIMIT, "late-hold").toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(late.granted()).as("a reserve of a hold id already released holds nothing").isFalse();
        assertThat(ledger.holdsRenewing()).isZero();
        Reservation next = reserve(ledger, key, LIMIT);
        assertThat(next.granted()).as("the whole budget is still free").isTrue();
        assertThat(next.heldMicros()).isEqualTo(LIMIT);
    }

    @Test
    void failedReservesAreReleasedUpToTheBoundThenLeftToLapse() throws Exception {
        SpendKey key = new SpendKey("acme", "tree-bounded");
        RedisSpendLedger impatient = new RedisSpendLedger(
                new RedisStore(vertx, new RedisConfig(redis.uri(), "t", Duration.ofMillis(200), 4)), Duration.ofMinutes(5), 1);
        try {
            // Scripts loaded and a connection open: the paused reserves below are one EVALSHA each. (A cold JVM may take
            // longer than the 200 ms timeout for the first ones: tried until one goes through.)
            for (int i = 0; ; i++) {
                try {
                    impatient.release(reserve(impatient, new SpendKey("warm", "up" + i), 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException e) {
                    if (i == 20) {
                        throw e;
                    }
                }
            }
            long abandonedWarmingUp = impatient.reserveReleasesAbandoned();
            assertThat(pause(700)).isEqualTo("+OK");
            CompletionStage<Reservation> first = impatient.reserve(key, 300_000, LIMIT);
            CompletionStage<Reservation> second = impatient.reserve(key, 300_000, LIMIT);
            assertThatThrownBy(() -> first.toCompletableFuture().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> second.toCompletableFuture().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(impatient.reserveReleasesAbandoned() - abandonedWarmingUp).as("one release may wait; the other is left to lapse")
                    .isEqualTo(1);

            // Both reserves run once the pause ends; the one release waiting is retried until Redis confirms it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (impatient.reserveReleasesPending() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(impatient.reserveReleasesPending()).isZero();
            Reservation next = reserve(ledger, key, 100_000);
            assertThat(next.granted()).isTrue();
            assertThat(next.heldMicros()).as("only the reserve not released still holds").isEqualTo(300_000 + 100_000);
        } finally {
            impatient.close();
        }
    }

    /** Pauses every client of the test Redis (a slow Redis: a fork, a failover), on a connection of its own. */
    private String pause(long millis) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("CLIENT PAUSE " + millis + " ALL\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                reply.append((char) c);
            }
            return reply.toString().trim();
        }
    }
}
