package dev.tollgate.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BG finding 2 (fix Z), against a real redis-server: deferred costs, early results and stream answers are filed
 * under every key of the task's scope, found under any key a renamed scope keeps, and taken once (one replica).
 */
class RedisDeferralsScopeKeysTest {

    private static final List<String> A_AND_B = List.of("origin a", "origin b");
    private static final List<String> B_AND_A = List.of("origin b", "origin a");
    private static final List<String> A_ONLY = List.of("origin a");
    private static final List<String> B_ONLY = List.of("origin b");
    private static final DeferredTaskCost COST = new DeferredTaskCost("acme", "tree", "agent", null, 300_000, 300_000);
    private static final DeferredTaskCost OTHER = new DeferredTaskCost("acme", "tree", "agent", null, 300_000, 0);

    private static RedisServer redis;
    private Vertx vertx;
    private String prefix;
    private RedisTaskStore store;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void open() {
        vertx = Vertx.vertx();
        prefix = "t" + System.nanoTime();
        store = new RedisTaskStore(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(2), 4), Duration.ofHours(1), null);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCostIsFoundUnderAnyKeyOfTheRenamedScopeAndTakenOnce() throws Exception {
        assertThat(await(store.deferCost(A_AND_B, "t1", COST))).isNull();

        assertThat(await(store.takeDeferredCost(List.of("origin c"), "t1", null))).as("another server's task").isNull();
        assertThat(await(store.takeDeferredCost(List.of("origin c", "origin b"), "t1", null))).as("a removed, c added first").isEqualTo(COST);
        assertThat(await(store.takeDeferredCost(A_ONLY, "t1", null))).as("taken once: the pointer left under a leads nowhere").isNull();
        assertThat(await(store.takeDeferredCost(A_AND_B, "t1", null))).isNull();
    }

    @Test
    void theFirstCostUnderAnyKeyWins() throws Exception {
        await(store.deferCost(B_ONLY, "t1", COST));
        await(store.deferCost(A_AND_B, "t1", OTHER));
        assertThat(await(store.takeDeferredCost(A_AND_B, "t1", null))).isEqualTo(COST);
        assertThat(await(store.takeDeferredCost(A_ONLY, "t1", null))).isNull();
    }

    @Test
    void anEarlyResultLeftUnderOneOrderIsTakenUnderAnotherOnce() throws Exception {
        assertThat(await(store.takeDeferredCost(B_AND_A, "t1", new EarlyTaskResult(true, 750_000)))).isNull();
        assertThat(await(store.takeDeferredCost(A_AND_B, "t1", new EarlyTaskResult(true, 1)))).as("the first result is kept").isNull();

        assertThat(await(store.deferCost(List.of("origin c", "origin a"), "t1", COST))).isEqualTo(new EarlyTaskResult(true, 750_000));
        assertThat(await(store.takeDeferredCost(A_ONLY, "t1", null))).as("settled by its creation: nothing kept").isNull();
        assertThat(await(store.deferCost(B_ONLY, "t1", COST))).as("the early result was taken once").isNull();
        assertThat(await(store.takeDeferredCost(B_ONLY, "t1", null))).isEqualTo(COST);
    }

    @Test
    void aStreamAnswerIsFoundUnderAnyKeyAndTakenOnceInOrder() throws Exception {
        DeferredStreamAnswer first = new DeferredStreamAnswer(COST, null, UUID.randomUUID().toString());
        DeferredStreamAnswer second = new DeferredStreamAnswer(null, "t9", UUID.randomUUID().toString());
        await(store.deferStreamAnswer(A_AND_B, "s", first));
        await(store.deferStreamAnswer(A_AND_B, "s", second));

        assertThat(await(store.takeStreamAnswer(List.of("origin c", "origin b"), "s"))).isEqualTo(first);
        assertThat(await(store.takeStreamAnswer(A_ONLY, "s"))).as("the first was taken through b").isEqualTo(second);
        assertThat(await(store.takeStreamAnswer(A_AND_B, "s"))).isNull();
        assertThat(await(store.takeStreamAnswer(List.of("origin c"), "s"))).isNull();
    }

    @Test
    void aDroppedStreamAnswerIsGoneUnderEveryKey() throws Exception {
        DeferredStreamAnswer entry = new DeferredStreamAnswer(COST, null, UUID.randomUUID().toString());
        await(store.deferStreamAnswer(A_AND_B, "s", entry));
        await(store.dropStreamAnswer(A_AND_B, "s", entry));
        assertThat(await(store.takeStreamAnswer(B_ONLY, "s"))).isNull();
        assertThat(await(store.takeStreamAnswer(A_ONLY, "s"))).isNull();
    }

    /** An entry an earlier version wrote (the value itself under the scope's name) is still taken, once. */
    @Test
    void anEntryWrittenByAnEarlierVersionIsTaken() throws Exception {
        TaskStoreKeys keys = new TaskStoreKeys(prefix);
        Redis client = Redis.createClient(vertx, redis.uri());
        try {
            String legacy = "{\"tenant\":\"acme\",\"tree\":\"tree\",\"route\":\"agent\",\"tool\":null,\"estimate\":300000,\"paid\":300000}";
            await(client.send(Request.cmd(Command.SET).arg(keys.key(TaskStoreKeys.DEFERRED_COST, "origin a", "t1")).arg(legacy)));
            await(client.send(Request.cmd(Command.RPUSH).arg(keys.key(TaskStoreKeys.DEFERRED_STREAM, "origin a", "s"))
                    .arg("{\"nonce\":\"n1\",\"task\":\"t9\"}")));
        } finally {
            client.close();
        }
        assertThat(await(store.takeDeferredCost(A_AND_B, "t1", null))).isEqualTo(COST);
        assertThat(await(store.takeDeferredCost(A_ONLY, "t1", null))).isNull();
        assertThat(await(store.takeStreamAnswer(A_AND_B, "s"))).isEqualTo(new DeferredStreamAnswer(null, "t9", "n1"));
        assertThat(await(store.takeStreamAnswer(A_ONLY, "s"))).isNull();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
