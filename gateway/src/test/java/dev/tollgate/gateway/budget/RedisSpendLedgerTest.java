package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Redis ledger's writes against a real redis-server: a retried write counts once, trees stay apart. */
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
}
