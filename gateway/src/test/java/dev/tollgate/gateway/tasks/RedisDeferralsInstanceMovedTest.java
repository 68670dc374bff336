package dev.tollgate.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.config.UpstreamsConfig;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.RouteTable;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.gateway.support.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix AA, against a real redis-server (see {@code DeferredCostsInstanceMovedTest}): deferred costs, early results and
 * stream answers name the group they were filed for, and a script taking one passes over an entry found under a key that
 * a reload gave to another server. Configuration 1: {@code docs -> [10.0.0.5, 10.0.0.6]}; configuration 2 (a reload, or
 * another replica running it): {@code docs -> [10.0.0.5]}, {@code billing -> [10.0.0.6]}.
 */
class RedisDeferralsInstanceMovedTest {

    private static final DeferredTaskCost ALICES = new DeferredTaskCost("acme", "alice", "docs", "search", 300_000, 300_000);
    private static final DeferredTaskCost BOBS = new DeferredTaskCost("globex", "bob", "billing", "charge", 100_000, 100_000);

    private static RedisServer redis;
    private Vertx vertx;
    private RedisTaskStore store;

    private final TaskScope docsBefore = scope(List.of(route("docs", "http://10.0.0.5:9001/mcp", "http://10.0.0.6:9001/mcp")), "docs");
    private final List<RouteConfig> after = List.of(route("docs", "http://10.0.0.5:9001/mcp"), route("billing", "http://10.0.0.6:9001/mcp"));
    private final TaskScope docsAfter = scope(after, "docs");
    private final TaskScope billing = scope(after, "billing");

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
        store = new RedisTaskStore(vertx, new RedisConfig(redis.uri(), "t" + System.nanoTime(), Duration.ofSeconds(10), 4),
                Duration.ofHours(1), null);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anotherServersTaskOfTheSameIdSettlesItsOwnCostNotTheFirstServers() throws Exception {
        assertThat(await(store.deferCost(docsBefore, "1", ALICES))).isNull();

        assertThat(await(store.takeDeferredCost(billing, "1", null))).as("billing's task 1 deferred nothing yet").isNull();
        assertThat(await(store.deferCost(billing, "1", BOBS))).isNull();
        assertThat(await(store.takeDeferredCost(billing, "1", null))).as("bob's result settles bob's cost").isEqualTo(BOBS);
        assertThat(await(store.takeDeferredCost(docsAfter, "1", null))).as("alice's cost is still docs'").isEqualTo(ALICES);
    }

    @Test
    void anEarlyResultOfTheFirstServerIsNotTheOtherServersTask() throws Exception {
        assertThat(await(store.takeDeferredCost(docsBefore, "1", new EarlyTaskResult(true, 750_000)))).isNull();

        assertThat(await(store.deferCost(billing, "1", BOBS))).as("billing's task 1 has not reported yet").isNull();
        assertThat(await(store.takeDeferredCost(billing, "1", null))).isEqualTo(BOBS);
        assertThat(await(store.deferCost(docsAfter, "1", ALICES))).as("docs' early result is still docs'")
                .isEqualTo(new EarlyTaskResult(true, 750_000));
    }

    @Test
    void aStreamAnswerOfTheFirstServerIsNotTakenByTheOther() throws Exception {
        DeferredStreamAnswer alicesCall = new DeferredStreamAnswer(ALICES, null, UUID.randomUUID().toString());
        await(store.deferStreamAnswer(docsBefore, "s", alicesCall));

        assertThat(await(store.takeStreamAnswer(billing, "s"))).as("billing's server never had this request").isNull();
        assertThat(await(store.takeStreamAnswer(docsAfter, "s"))).isEqualTo(alicesCall);
    }

    private static TaskScope scope(List<RouteConfig> routes, String name) {
        return new RouteTable(routes).routes().stream().filter(r -> r.name().equals(name)).map(Route::taskScope)
                .findFirst().orElseThrow();
    }

    private static RouteConfig route(String name, String... urls) {
        return new RouteConfig(name, "/" + name, Protocol.MCP, null, Duration.ofSeconds(5), Duration.ofSeconds(30), 10, "p",
                AxidMode.OFF, List.of(), null, null, null,
                new UpstreamsConfig(Arrays.stream(urls).map(u -> new UpstreamsConfig.Endpoint(URI.create(u), 1)).toList(),
                        null, null, null), null, null);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
