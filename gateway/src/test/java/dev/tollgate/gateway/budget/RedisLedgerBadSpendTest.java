package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix AF (review BJ's suspicions): a tree's {@code spent} field written by something else than the gateway. A value that
 * is not an integer makes a settle fail before it writes anything (Redis does not roll back a script that fails half
 * way: the settle used to mark its hold settled and release it, then fail, and its retry found the marker and lost the
 * call's cost; a cached-mode write likewise); a negative value is read as 0, as the HTTP ledger reads it, not as extra room.
 */
class RedisLedgerBadSpendTest {

    private static final long LIMIT = 3_000_000;
    private final SpendKey key = new SpendKey("acme", "tree-bad");
    private Vertx vertx;
    private RedisServer redis;
    private RedisSpendLedger ledger;
    private Redis client;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
        ledger = new RedisSpendLedger(new RedisStore(vertx, new RedisConfig(redis.uri(), "bad", Duration.ofSeconds(2), 4)),
                Duration.ofMinutes(5));
        client = Redis.createClient(vertx, redis.uri());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        ledger.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private Response send(Request request) throws Exception {
        return client.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private String account;

    /** Sets the tree's {@code spent} field as an outside tool would. */
    private void setSpent(String value) throws Exception {
        if (account == null) {
            ledger.record(key, 1, "first").toCompletableFuture().get(5, TimeUnit.SECONDS);
            Response keys = send(Request.cmd(Command.KEYS).arg("bad*spend*"));
            assertThat(keys.size()).isEqualTo(1);
            account = keys.get(0).toString();
        }
        send(Request.cmd(Command.HSET).arg(account).arg("spent").arg(value));
    }

    @Test
    void aSettleOnANonIntegerSpendFailsWithoutSettlingSoItsRetryStillRecordsTheCost() throws Exception {
        setSpent("0");
        Reservation hold = ledger.reserve(key, 300_000, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(hold.granted()).isTrue();
        setSpent("0.5");

        assertThatThrownBy(() -> ledger.commit(hold, 300_000).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("the spend cannot be added to");

        setSpent("0"); // repaired
        ledger.commit(hold, 300_000).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(ledger.spent(key).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("the retried settle records the call's cost once the spend is an integer again").isEqualTo(300_000);
        assertThat(ledger.reserve(key, LIMIT - 300_000, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS).granted())
                .as("and its hold is released").isTrue();
    }

    @Test
    void aWriteOnANonIntegerSpendFailsWithoutMarkingItsIdSoItsRetryStillRecordsTheCost() throws Exception {
        setSpent("0.5");
        assertThatThrownBy(() -> ledger.record(key, 300_000, "w-1").toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("the spend cannot be added to");

        setSpent("0"); // repaired
        ledger.record(key, 300_000, "w-1").toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(ledger.spent(key).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("the retried write (same id) records the cost once the spend is an integer again").isEqualTo(300_000);
    }

    @Test
    void aNegativeSpendIsReadAsNothingSpentNotAsExtraRoom() throws Exception {
        setSpent("-1000000");
        assertThat(ledger.spent(key).toCompletableFuture().get(5, TimeUnit.SECONDS)).isZero();
        Reservation over = ledger.reserve(key, LIMIT + 500_000, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(over.granted()).as("$3.50 on a $3.00 budget").isFalse();
        assertThat(ledger.reserve(key, LIMIT, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS).granted()).isTrue();
    }
}
