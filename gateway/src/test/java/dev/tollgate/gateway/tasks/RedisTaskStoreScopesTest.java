package dev.tollgate.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.gateway.support.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BB, with the Redis store against a real redis-server: a binding is kept under every key of its scope, so a
 * replica whose configuration removed or reordered the route's first instance (a reload, or a replica started with the
 * new configuration) still finds it while any instance stays.
 */
class RedisTaskStoreScopesTest {

    private static final TaskScope A_AND_B = new TaskScope("origin a", List.of("origin a", "origin b"));
    private static final TaskScope B_ONLY = TaskScope.named("origin b");
    private static final TaskScope A_ONLY = TaskScope.named("origin a");
    private static final TaskBinding ACMES = new TaskBinding("search", "axid:acme/bot", "http://a/mcp");
    private static final TaskBinding EVILS = new TaskBinding("search", "axid:evil/bot", null);

    private static RedisServer redis;
    private Vertx vertx;
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
        store = new RedisTaskStore(vertx, new RedisConfig(redis.uri(), "t" + System.nanoTime(), Duration.ofSeconds(2), 4),
                Duration.ofHours(1), null);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBindingMadeUnderEveryInstanceIsFoundUnderTheOneThatStays() throws Exception {
        assertThat(await(store.bindTask(A_AND_B, "t1", ACMES))).as("new: nothing held before").isNull();
        assertThat(await(store.bindContext(A_AND_B, "ctx", "axid:acme/bot"))).isNull();

        SharedTaskStore.Found found = await(store.find(B_ONLY, Set.of("t1"), Set.of("ctx")));
        assertThat(found.tasks()).containsEntry("t1", ACMES);
        assertThat(found.contextOwners()).containsEntry("ctx", "axid:acme/bot");
        assertThat(await(store.find(new TaskScope("origin b", List.of("origin b", "origin a")), Set.of("t1"), Set.of())).tasks()).as("reordered")
                .containsEntry("t1", ACMES);
    }

    @Test
    void theFirstBindingUnderAnyKeyWinsAndIsCopiedUnderTheOthers() throws Exception {
        assertThat(await(store.bindTask(B_ONLY, "t1", ACMES))).isNull();

        assertThat(await(store.bindTask(A_AND_B, "t1", EVILS))).as("held under b: acme's").isEqualTo(ACMES);
        assertThat(await(store.find(A_ONLY, Set.of("t1"), Set.of())).tasks()).as("copied under a, not evil's")
                .containsEntry("t1", ACMES);
    }

    /** Scaled out, then in ([a] to [a, b] to [b]): a binding read while the route had both is copied under b. */
    @Test
    void aReadUnderAScopeThatGainedAKeyCopiesTheBindingThere() throws Exception {
        assertThat(await(store.bindTask(A_ONLY, "t1", ACMES))).isNull();
        assertThat(await(store.bindContext(A_ONLY, "ctx", "axid:acme/bot"))).isNull();
        assertThat(await(store.find(B_ONLY, Set.of("t1"), Set.of("ctx"))).tasks()).as("b never held it").isEmpty();

        assertThat(await(store.find(A_AND_B, Set.of("t1"), Set.of("ctx"))).tasks()).containsEntry("t1", ACMES);

        SharedTaskStore.Found later = await(store.find(B_ONLY, Set.of("t1"), Set.of("ctx")));
        assertThat(later.tasks()).containsEntry("t1", ACMES);
        assertThat(later.contextOwners()).containsEntry("ctx", "axid:acme/bot");
    }

    @Test
    void aReadOfAnIdNobodyBoundWritesNothing() throws Exception {
        assertThat(await(store.find(A_AND_B, Set.of("t9"), Set.of("ctx9"))).tasks()).isEmpty();

        assertThat(await(store.bindTask(A_AND_B, "t9", ACMES))).as("still unbound after the read").isNull();
        assertThat(await(store.bindContext(B_ONLY, "ctx9", "axid:evil/bot"))).isNull();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
