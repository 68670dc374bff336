package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BR: the Redis client writes a String as UTF-8, an unpaired surrogate as '?': the spend tree "run-\uD800" was the
 * tree "run-?", and a rate-limit bucket keyed by "alice\uD800" was "alice?"'s. Every command of the shared store refuses
 * such a key or argument (a failed future: the spend ledger and rate limiter deny, fail closed) instead of sending it.
 */
class RedisStoreLoneSurrogateTest {

    private Vertx vertx;
    private RedisServer redis;
    private RedisStore store;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
        store = new RedisStore(vertx, new RedisConfig(redis.uri(), "t", Duration.ofSeconds(2), 4));
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static <T> Throwable failure(Future<T> future) throws Exception {
        try {
            future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aTreeWithAnUnpairedSurrogateIsRefusedNotSpentOnTheQuestionMarkTree() throws Exception {
        RedisSpendLedger ledger = new RedisSpendLedger(store, Duration.ofMinutes(1));
        SpendKey lone = new SpendKey("acme", "run-\uD800");
        SpendKey question = new SpendKey("acme", "run-?");

        Throwable refused = null;
        try {
            ledger.reserve(lone, 1_000_000, 1_000_000).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            refused = e.getCause();
        }
        assertThat(refused).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired");
        assertThat(ledger.reserve(question, 1_000_000, 1_000_000).toCompletableFuture().get(5, TimeUnit.SECONDS).granted())
                .as("tree run-? still has its whole budget").isTrue();
    }

    @Test
    void aBucketKeyWithAnUnpairedSurrogateIsRefusedNotTakenFromTheQuestionMarkBucket() throws Exception {
        RedisRateLimiter limiter = new RedisRateLimiter(store);

        assertThat(failure(limiter.tryTake("t", "o", "rule|alice\uD800", 1, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(limiter.tryTake("t", "o", "rule|alice?", 1, 1).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("the bucket of alice? is full").isTrue();
        assertThat(failure(store.hget(store.key("spend", "x\uDFFF"), "spent"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(store.run(RedisStore.Script.of("return 1"), List.of("k"), List.of("\uD800")))).isInstanceOf(IllegalArgumentException.class);
    }
}
